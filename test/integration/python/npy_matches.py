"""npy_matches.py MODEL INITIALIZER FILE.npy: prints what differs between numpy.load(FILE.npy)
and python onnx's numpy_helper value of the initializer (dtype, shape, values); nothing if equal."""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model, name, path = sys.argv[1:4]
init = next(t for t in onnx.load(model).graph.initializer if t.name == name)
want = numpy_helper.to_array(init)
got = np.load(path, allow_pickle=False)
if got.dtype != want.dtype:
    print(f'dtype {got.dtype.str} instead of {want.dtype.str}')
elif got.shape != want.shape:
    print(f'shape {got.shape} instead of {want.shape}')
elif not np.array_equal(got, want, equal_nan=want.dtype.kind in 'fc'):
    print(f'values {got.ravel().tolist()} instead of {want.ravel().tolist()}')
elif want.dtype.kind == 'f' and not np.array_equal(np.signbit(got), np.signbit(want)):
    print('signs of zeros differ')
