from coalign.cli import app

app()
