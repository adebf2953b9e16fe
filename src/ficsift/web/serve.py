"""``ficsift serve``: run the web app with uvicorn on one library."""

from __future__ import annotations

from pathlib import Path


def serve(library_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    from ficsift.web.app import create_app

    app = create_app(library_dir)
    shown = f"[{host}]" if ":" in host else host
    print(f"ficsift: library {library_dir}", flush=True)
    print(f"ficsift: serving on http://{shown}:{port}/  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
