/** One line for a bug; the stack only with ONNX_STUDIO_DEBUG=1. */
export function internalError(prefix: string, e: unknown, debug = process.env.ONNX_STUDIO_DEBUG === '1'): string {
  const line = `${prefix}: internal error: ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`;
  return debug && e instanceof Error && e.stack ? `${line}\n${e.stack}` : `${line} (set ONNX_STUDIO_DEBUG=1 for details)`;
}
