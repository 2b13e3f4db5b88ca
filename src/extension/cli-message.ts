/** The CLI's own error line(s) (`onnx-studio <command>: …`), else its last stderr line. */
export function cliMessage(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim());
  const own = lines.filter((l) => /^onnx-studio( [\w-]+)?: /.test(l));
  return (own.length ? own : lines.slice(-1)).join('\n') || 'no message';
}
