"""An app the Python worker refuses: the activity decorator names a parameter `name`, but it
ended up on a function whose parameter is `who` (a helper between decorator and function)."""
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="hello")
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("hello")


@app.activity_trigger(input_name="name")
def greet(who: str) -> str:
    return f"Hello {who}!"
