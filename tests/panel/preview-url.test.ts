import { base64, imageUrl } from "../../panel/model/preview-url.js";

describe("preview URLs", () => {
  test("a JPEG preview is a data: URL even where URL.createObjectURL exists (UXP renders blob: URLs only for ImageBlob)", () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00]);
    expect(typeof URL.createObjectURL).toBe("function");
    expect(imageUrl(jpeg)).toBe(`data:image/jpeg;base64,${Buffer.from(jpeg).toString("base64")}`);
  });

  test("base64 matches Node's for every padding length", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
  });
});
