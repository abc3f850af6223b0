"""The baseline: a bare Starlette app returning a small JSON body, served by uvicorn like graphmock is.

    python benchmarks/bare_app.py PORT
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def endpoint(request: Request) -> JSONResponse:
    if request.method == "POST":
        await request.body()
    return JSONResponse({"id": "120200000000000001", "name": "bare"})


app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
