// What the extension reads from our CLI: its error (from its last own line on, with the problems
// and [E] lines under it) and its one JSON document, shape-checked by the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliMessage, notificationText, parseJson } from '../src/extension/cli-message';

test('cliMessage: from the last onnx-studio line on; a warning before it and progress lines are left out', () => {
  const usage = ['building', 'onnx-studio build: warning: TensorRT 11.1.0 is not known here', 'onnx-studio build: options that TensorRT 11.1.0 does not take:', "  --memPoolSize: 'lots' is not a size", ''].join('\n');
  assert.equal(cliMessage(usage), "onnx-studio build: options that TensorRT 11.1.0 does not take:\n  --memPoolSize: 'lots' is not a size");
  const failed = ['[I] step', 'onnx-studio build: the build failed (trtexec exit code 1); log: m.log', '[E] no importer for MyPluginOp'].join('\r\n');
  assert.equal(cliMessage(failed), 'onnx-studio build: the build failed (trtexec exit code 1); log: m.log\n[E] no importer for MyPluginOp');
  assert.equal(cliMessage('progress 10%\nKilled\n'), 'Killed', 'no own line: the last line');
  assert.equal(cliMessage(''), 'no message');
});

test('parseJson: undefined for what does not parse or lacks the shape; any object by default', () => {
  for (const text of ['', 'not json', 'null', '1', '"s"']) assert.equal(parseJson(text), undefined, text);
  assert.deepEqual(parseJson('{"a":1}'), { a: 1 });
  const hasOutput = (r: { output?: unknown } | null) => typeof r?.output === 'string';
  assert.equal(parseJson('{"a":1}', hasOutput), undefined);
  assert.equal(parseJson('null', hasOutput), undefined);
  assert.deepEqual(parseJson('{"output":"m.onnx"}', hasOutput), { output: 'm.onnx' });
});

test('notificationText: a markdown link from a file (a profile\'s tool version, a file name) is no link in a notification', () => {
  // The pattern VS Code's notifications turn into links (parseLinkedText in vs/base/common/linkedText).
  const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/i;
  const hostile = 'TensorRT (trtexec) 10 [Fix it](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D), GPU';
  assert.ok(LINK.test(hostile), 'the text alone would be a link');
  const shown = notificationText(hostile);
  assert.ok(!LINK.test(shown));
  assert.equal(shown.replace(/\u200b/g, ''), hostile, 'reads the same');
  assert.equal(notificationText('ONNX Studio: 1.000 ms (12.0 %)'), 'ONNX Studio: 1.000 ms (12.0 %)');
});
