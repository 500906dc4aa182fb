import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { z } from "zod";
import { HELPER_PORTS } from "../../panel/client/ports.js";

const root = join(__dirname, "..", "..");
const read = (path: string): unknown => JSON.parse(readFileSync(join(root, path), "utf8"));

const THEMES = ["all", "lightest", "light", "medium", "dark", "darkest"] as const;
const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).strict();
const Icon = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    path: z.string().regex(/^icons\/[\w-]+\.png$/, "a PNG under icons/"),
    scale: z.array(z.union([z.literal(1), z.literal(2)])).nonempty(),
    theme: z.array(z.enum(THEMES)).nonempty(),
    species: z.array(z.enum(["generic", "toolbar", "pluginList"])).optional(),
  })
  .strict();
// Without wildcards: UXP matches scheme, host and port exactly, and rejects port wildcards.
const Domain = z.string().regex(/^(ws|http):\/\/(127\.0\.0\.1|localhost):\d{2,5}$/, "an exact loopback URL with a port");

/** UXP manifest v5 as Premiere Pro 25.6+ reads it, limited to what Tessera uses. */
const ManifestSchema = z
  .object({
    manifestVersion: z.literal(5),
    id: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    main: z.literal("index.html"),
    // an object, not an array: packaging for distribution refuses the array form
    host: z.object({ app: z.literal("premierepro"), minVersion: z.literal("25.6.0") }).strict(),
    entrypoints: z
      .array(
        z
          .object({
            type: z.literal("panel"),
            id: z.string().min(1),
            label: z.object({ default: z.string().min(1) }).strict(),
            minimumSize: Size,
            maximumSize: Size,
            preferredDockedSize: Size,
            preferredFloatingSize: Size,
            icons: z.array(Icon).min(2),
          })
          .strict(),
      )
      .length(1),
    icons: z.array(Icon).min(1),
    requiredPermissions: z
      .object({
        network: z.object({ domains: z.array(Domain).min(1) }).strict(),
        localFileSystem: z.literal("fullAccess"),
      })
      .strict(),
  })
  .strict();

const manifest = ManifestSchema.parse(read("manifest.json"));

describe("manifest.json", () => {
  test("is a v5 Premiere Pro manifest: host object at 25.6.0, one panel, full file access", () => {
    expect(manifest.host).toEqual({ app: "premierepro", minVersion: "25.6.0" });
    expect(manifest.entrypoints[0]?.type).toBe("panel");
    expect(manifest.version).toBe((read("package.json") as { version: string }).version);
  });

  test("lists exactly ws:// and http:// on 127.0.0.1 and localhost for the helper's ports, no wildcards", () => {
    const expected = ["ws", "http"].flatMap((scheme) =>
      ["127.0.0.1", "localhost"].flatMap((host) => HELPER_PORTS.map((port) => `${scheme}://${host}:${port}`)),
    );
    expect([...manifest.requiredPermissions.network.domains].sort()).toEqual(expected.sort());
    expect(HELPER_PORTS).toEqual([48750, 48751, 48752, 48753]);
    expect(JSON.stringify(manifest)).not.toContain("*");
  });

  test("the schema refuses what Premiere refuses: a host array, a port wildcard, \"all\" domains", () => {
    const base = read("manifest.json") as Record<string, unknown>;
    expect(ManifestSchema.safeParse({ ...base, host: [{ app: "premierepro", minVersion: "25.6.0" }] }).success).toBe(false);
    const perms = base.requiredPermissions as Record<string, unknown>;
    const withDomains = (domains: unknown) => ({ ...base, requiredPermissions: { ...perms, network: { domains } } });
    expect(ManifestSchema.safeParse(withDomains(["ws://localhost:*"])).success).toBe(false);
    expect(ManifestSchema.safeParse(withDomains("all")).success).toBe(false);
    expect(ManifestSchema.safeParse({ ...base, manifestVersion: 6 }).success).toBe(false);
  });
});

describe("icons", () => {
  const icons = [...manifest.icons, ...manifest.entrypoints.flatMap((e) => e.icons)];

  test.each(icons.flatMap((icon) => icon.scale.map((scale) => [icon.path, scale, icon] as const)))("%s at %ix is a PNG of the declared size", async (path, scale, icon) => {
    const file = join(root, scale === 2 ? path.replace(/\.png$/, "@2x.png") : path);
    expect(existsSync(file)).toBe(true);
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", icon.width * scale, icon.height * scale]);
  });

  test("panel icons exist for dark and light themes", () => {
    const themes = new Set(manifest.entrypoints[0]!.icons.flatMap((i) => i.theme));
    for (const theme of ["dark", "darkest", "medium", "light", "lightest"]) expect(themes.has(theme as (typeof THEMES)[number])).toBe(true);
  });

  // legible: a light glyph for dark panels, a dark one for light panels, and enough of it to read at 23 px
  test.each([
    ["icons/dark.png", "light"],
    ["icons/dark@2x.png", "light"],
    ["icons/light.png", "dark"],
    ["icons/light@2x.png", "dark"],
  ])("%s draws a %s glyph", async (path, tone) => {
    const { data, info } = await sharp(join(root, path)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    let opaque = 0;
    let luma = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      if (data[i + 3]! < 128) continue;
      opaque++;
      luma += 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
    }
    expect(opaque / (info.width * info.height)).toBeGreaterThan(0.3);
    const mean = luma / opaque;
    if (tone === "light") expect(mean).toBeGreaterThan(110);
    else expect(mean).toBeLessThan(110);
  });
});
