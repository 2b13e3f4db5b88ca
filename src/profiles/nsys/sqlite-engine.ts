import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { DataFileError, readDataFile } from '../../onnx/io/data-files';

// SQLite in WebAssembly (sql.js): a native module would not load in every host the extension
// runs in. The bundles (dist/cli.js, dist/extension.js) find the .wasm beside them (the build
// copies it there); unbundled runs and tests find it in node_modules.

const WASM_NAME = 'sql-wasm.wasm';
const WASM_MAX_BYTES = 16 * 1024 * 1024;

let engine: Promise<SqlJsStatic> | undefined;

/** The sql.js engine, loaded once per process. */
export function sqliteEngine(): Promise<SqlJsStatic> {
  engine ??= initSqlJs({ wasmBinary: toArrayBuffer(readWasm()) }).catch((e: unknown) => {
    engine = undefined;
    throw e;
  });
  return engine;
}

/** An in-memory database holding a copy of `bytes` (sql.js reads no files itself). */
export async function openSqlite(bytes: Uint8Array): Promise<Database> {
  const SQL = await sqliteEngine();
  return new SQL.Database(bytes);
}

function wasmCandidates(): string[] {
  const out = [join(__dirname, WASM_NAME)];
  try {
    out.push(require.resolve(`sql.js/dist/${WASM_NAME}`));
  } catch {
    // No node_modules (the packaged extension): the copy beside the bundle is the one.
  }
  return out;
}

function readWasm(): Uint8Array {
  const tried = wasmCandidates();
  for (const path of tried) {
    try {
      return readDataFile(path, WASM_MAX_BYTES);
    } catch (e) {
      if (!(e instanceof DataFileError)) throw e;
    }
  }
  throw new Error(`the SQLite engine (${WASM_NAME}) is missing: looked in ${tried.join(', ')}`);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
