"""Plain data <-> JSON text, the only thing that crosses between grader and sandbox.

Both directions use the same format: JSON, where numpy arrays become
{"__ndarray__": "<f8", "shape": [3, 2], "data": "<base64 of the bytes>"} (numeric dtypes only),
numpy scalars the same with "scalar": true, tuples {"__tuple__": [...]}, dicts
{"__dict__": [[key, value], ...]}, and one of the course's named test functions
(course_lib/testfunctions.py, e.g. the f of the numerical_gradient exercise) {"__function__": name}:
its name crosses, never code, and the other side looks the same function up. Anything else a
student's function returns is encoded as {"__unreadable__": "<type name>"} and never turned back
into an object: the grader reads results without unpickling, so a submission cannot smuggle code
or objects into the grader's process.

This module imports only json, base64, re, os, importlib and numpy, and loads testfunctions.py by
path: the sandbox loads it by path too.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import math
import os
import re

import numpy as np

_NUMERIC_DTYPE = re.compile(r"^[<>|=]?[biufc]\d{1,2}$")
MAX_DEPTH = 20


class Unreadable:
    """Stands for a value of a type the grader does not read back (an object, a function...)."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:80]

    def __repr__(self) -> str:
        return f"<a {self.type_name}, which the grader cannot read>"

    def __eq__(self, other) -> bool:
        return False

    __hash__ = None


def _load_test_functions():
    """course_lib/testfunctions.py, loaded by path (no course_lib import)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testfunctions.py")
    spec = importlib.util.spec_from_file_location("_course_grade_testfunctions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


try:    # imported as course_lib.grading.wire: the very functions the exercises' cases hold
    from ..testfunctions import TEST_FUNCTIONS, closed_over
except ImportError:     # loaded by path in the sandbox
    _testfunctions = _load_test_functions()
    TEST_FUNCTIONS, closed_over = _testfunctions.TEST_FUNCTIONS, _testfunctions.closed_over
_FUNCTION_TYPE = type(_load_test_functions)

_TYPE_NAME = type.__dict__["__name__"].__get__    # a class's own name, whatever its metaclass says
_SCALARS = tuple({t for t in np.sctypeDict.values() if issubclass(t, np.generic)})


def to_plain(value, depth: int = 0):
    """`value` as JSON-ready plain data (see the module docstring); never runs the value's code.

    Only exact built-in types, exact numpy arrays and numpy's own scalar types are converted, by
    `type(value) is ...` and issubclass on the exact type (no ==, `in`, isinstance or attribute
    of the value, which a student's class or metaclass could answer with code of its own).
    """
    kind = type(value)
    if depth > MAX_DEPTH:
        return {"__unreadable__": "structure nested too deeply"}
    if value is None or kind is bool or kind is int or kind is float or kind is str:
        return value
    if kind is list:
        return [to_plain(v, depth + 1) for v in list.__iter__(value)]
    if kind is tuple:
        return {"__tuple__": [to_plain(v, depth + 1) for v in tuple.__iter__(value)]}
    if kind is dict:
        return {"__dict__": [[to_plain(k, depth + 1), to_plain(v, depth + 1)] for k, v in dict.items(value)]}
    if kind is np.ndarray or _is_scalar(kind):
        array = np.asarray(value)
        if not _NUMERIC_DTYPE.match(array.dtype.str):
            return {"__unreadable__": f"numpy array of dtype {array.dtype}"}
        data = np.ascontiguousarray(array).tobytes()
        out = {"__ndarray__": array.dtype.str, "shape": list(array.shape),
               "data": base64.b64encode(data).decode("ascii")}
        if kind is not np.ndarray:
            out["scalar"] = True
        return out
    if kind is _FUNCTION_TYPE:
        for name, function in dict.items(TEST_FUNCTIONS):   # identity only: no code of the value runs
            if value is function:
                return {"__function__": name}
    return {"__unreadable__": _TYPE_NAME(kind)}


def _is_scalar(kind) -> bool:
    for scalar in _SCALARS:
        if kind is scalar:
            return True
    return False


def from_plain(obj, depth: int = 0):
    """The value that `to_plain` encoded; raises ValueError on anything malformed."""
    if depth > MAX_DEPTH + 2:
        raise ValueError("structure nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [from_plain(v, depth + 1) for v in obj]
    if type(obj) is not dict or len(obj) == 0:
        raise ValueError(f"unexpected {type(obj).__name__} in the data")
    if "__tuple__" in obj:
        return tuple(from_plain(v, depth + 1) for v in _list(obj["__tuple__"]))
    if "__dict__" in obj:
        pairs = [_list(p) for p in _list(obj["__dict__"])]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("a dict entry is not a (key, value) pair")
        out = {}
        for key, value in pairs:
            key = from_plain(key, depth + 1)
            try:
                hash(key)                        # a tuple key may hold something unhashable
            except TypeError:
                raise ValueError("a dict key is not a plain value") from None
            if isinstance(key, (list, dict, np.ndarray, Unreadable)):
                raise ValueError("a dict key is not a plain value")
            out[key] = from_plain(value, depth + 1)
        return out
    if "__unreadable__" in obj:
        return Unreadable(obj["__unreadable__"])
    if "__ndarray__" in obj:
        return _array(obj)
    if "__function__" in obj:
        name = obj["__function__"]
        if type(name) is not str or name not in TEST_FUNCTIONS:
            raise ValueError(f"unknown test function {str(name)[:80]!r}")
        return TEST_FUNCTIONS[name]
    raise ValueError(f"unknown tagged value with keys {sorted(obj)[:5]}")


def _list(x) -> list:
    if type(x) is not list:
        raise ValueError(f"expected a list, got {type(x).__name__}")
    return x


def _array(obj: dict):
    dtype_text, shape = obj["__ndarray__"], obj.get("shape")
    if type(dtype_text) is not str or not _NUMERIC_DTYPE.match(dtype_text):
        raise ValueError(f"arrays must have a numeric dtype, got {dtype_text!r}")
    if type(shape) is not list or len(shape) > 32 or any(type(n) is not int or not 0 <= n < 1 << 40
                                                          for n in shape):
        raise ValueError(f"bad array shape {str(shape)[:80]}")
    dtype = np.dtype(dtype_text)
    data = base64.b64decode(obj.get("data", ""), validate=True)
    if len(data) != dtype.itemsize * math.prod(shape):
        raise ValueError("array data does not match its shape and dtype")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    return array[()] if obj.get("scalar") else array


def dumps(value) -> str:
    """One line of JSON text for `value` (NaN and inf allowed, no newlines)."""
    return json.dumps(to_plain(value), allow_nan=True, separators=(",", ":"))


def loads(text: str | bytes):
    """The value in one line of `dumps` text; ValueError if malformed."""
    try:
        return from_plain(json.loads(text))
    except RecursionError as exc:
        raise ValueError("structure nested too deeply") from exc
