"""`strikescope serve`: the dashboard and JSON API."""

from __future__ import annotations

from pathlib import Path

import typer

from strikescope.cli.app import app
from strikescope.cli.output import DbOption, console


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    db: Path = DbOption,
) -> None:
    """Serve the dashboard and the JSON API (/api/v1) from the store."""
    import uvicorn

    from strikescope.web import create_app

    console.print(f"Dashboard: http://{host}:{port}/")
    uvicorn.run(create_app(db=db), host=host, port=port, log_level="warning")
