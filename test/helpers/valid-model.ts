import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { checkModel } from '../../src/onnx/check/checker';
import { openModel } from '../../src/onnx/open';

/**
 * Both checkers accept the file: ours (no errors) and python onnx.checker (given the path, so
 * external data is checked where it lies; `fullCheck` adds its strict shape inference).
 */
export function assertValidModel(path: string, fullCheck = false): void {
  const m = openModel(path);
  try {
    assert.deepEqual(checkModel(m).filter((d) => d.severity === 'error').map((d) => d.message), []);
  } finally {
    m.close();
  }
  execFileSync('/usr/bin/python3', ['-c', `import onnx,sys; onnx.checker.check_model(sys.argv[1]${fullCheck ? ', full_check=True' : ''})`, path], { stdio: 'pipe' });
}
