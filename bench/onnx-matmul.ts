/**
 * A one-node ONNX model (Y = A x B, float32, square N) written as protobuf bytes, for measuring onnxruntime's
 * GEMM peak without a file or an ONNX library. Field numbers are onnx.proto's (ModelProto, GraphProto, ...).
 */

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const int = (field: number, value: number) => [...key(field, 0), ...varint(value)];
const bytes = (field: number, content: number[]) => [...key(field, 2), ...varint(content.length), ...content];
const str = (field: number, text: string) => bytes(field, [...Buffer.from(text, "utf8")]);

function tensorValue(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...int(1, 1), ...bytes(2, shape)]; // elem_type FLOAT = 1, shape
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))]; // ValueInfoProto { name, type { tensor_type } }
}

export function matmulModel(n: number): Uint8Array {
  const node = [...str(1, "A"), ...str(1, "B"), ...str(2, "Y"), ...str(3, "matmul"), ...str(4, "MatMul")];
  const graph = [
    ...bytes(1, node),
    ...str(2, "gemm-peak"),
    ...bytes(11, tensorValue("A", [n, n])),
    ...bytes(11, tensorValue("B", [n, n])),
    ...bytes(12, tensorValue("Y", [n, n])),
  ];
  const model = [...int(1, 8), ...str(2, "tessera-bench"), ...bytes(7, graph), ...bytes(8, [...str(1, ""), ...int(2, 17)])];
  return Uint8Array.from(model);
}
