/**
 * The namespace path of a node from its name, as exporters write them:
 * `/encoder/layer.3/attn/MatMul` → `encoder/layer.3/attn`; names without `/` have none.
 */
export function namespaceOf(nodeName: string): string {
  const parts = nodeName.split('/').filter(Boolean);
  return parts.slice(0, -1).join('/');
}
