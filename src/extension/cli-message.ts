// What our CLI said, as the commands that run it read it: its error message from stderr and its
// one JSON document from stdout.

/**
 * The CLI's error: from its last own line (`onnx-studio <command>: …`, written as it exits) on,
 * so the problems listed under it and a failed build's `[E]` lines come with it; else the last
 * stderr line.
 */
export function cliMessage(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim());
  let last = -1;
  lines.forEach((l, i) => {
    if (/^onnx-studio( [\w-]+)?: /.test(l)) last = i;
  });
  return (last < 0 ? lines.slice(-1) : lines.slice(last)).join('\n') || 'no message';
}

/** stdout's JSON document when it parses and has the shape the caller checks (any object by default). */
export function parseJson<T>(stdout: string, hasShape: (value: T) => boolean = (v) => typeof v === 'object' && v !== null): T | undefined {
  let value: T;
  try {
    value = JSON.parse(stdout) as T;
  } catch {
    return undefined;
  }
  return hasShape(value) ? value : undefined;
}

/**
 * Text for a notification, which makes `[label](command:…)` (or https:, file:) a clickable link:
 * a zero-width space between `]` and `(` keeps file names and fields read from files (a profile's
 * tool version, a CLI message quoting a file) from becoming one; the text reads the same.
 */
export function notificationText(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(');
}
