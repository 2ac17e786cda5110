"""multipart/form-data parsing, side by side in one process: Coworks' parser
(``coworks.runtime.multipart``) and werkzeug's (``werkzeug.formparser.parse_form_data``, the one
Flask uses) on the same bodies of 1,000 and 40,000 parts (half text fields, half small files).
Prints milliseconds per body and Coworks' time as a multiple of werkzeug's. Coworks is run with
its part limit raised to the body's count, so both parse every part.

    .venv/bin/python bench/multipart.py [--parts 1000 40000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import time

from werkzeug.formparser import parse_form_data

from coworks.runtime.multipart import parse_multipart

BOUNDARY = "bench-boundary-7MA4YWxkTrZu0gW"


def body(parts: int) -> bytes:
    chunks = []
    for i in range(parts):
        if i % 2:
            head = f'Content-Disposition: form-data; name="file{i}"; filename="f{i}.txt"\r\nContent-Type: text/plain'
            value = f"file content number {i}\n" * 3
        else:
            head = f'Content-Disposition: form-data; name="field{i}"'
            value = f"value {i}"
        chunks.append(f"--{BOUNDARY}\r\n{head}\r\n\r\n{value}\r\n".encode())
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def coworks(data: bytes, parts: int) -> int:
    fields = parse_multipart(data, f"multipart/form-data; boundary={BOUNDARY}", max_parts=parts)
    return sum(len(v) for v in fields.values())


def werkzeug(data: bytes, parts: int) -> int:
    environ = {
        "REQUEST_METHOD": "POST", "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
    }
    _, form, files = parse_form_data(environ, max_form_parts=parts, max_form_memory_size=len(data))
    return len(form) + len(files)


def best(func: object, data: bytes, parts: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = func(data, parts)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
        assert found == parts, (func, found, parts)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, nargs="+", default=[1000, 40000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| parts | body KB | Coworks ms | werkzeug ms | Coworks / werkzeug |")
    print("|---|---|---|---|---|")
    for parts in args.parts:
        data = body(parts)
        ours = best(coworks, data, parts, args.repeat)
        theirs = best(werkzeug, data, parts, args.repeat)
        print(f"| {parts} | {len(data) / 1024:.0f} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} |")


if __name__ == "__main__":
    main()
