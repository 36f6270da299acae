from tidings.cli import app

app(prog_name="tidings")
