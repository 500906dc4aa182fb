/**
 * An /object_info snapshot of the nodes Tessera's templates use, as ComfyUI 0.3.64 reports them: legacy nodes
 * (nodes.py) with `[[options], {opts}]` combos, V3 nodes (comfy_extras/nodes_lt.py, nodes_video.py, nodes_wan.py)
 * with `["COMBO", {options}]`. Model combos list the files in the fake's models folders.
 */
export type ModelFolders = Record<string, string[]>;

export const DEFAULT_MODELS: ModelFolders = {
  checkpoints: ["ltx-video-2b-v0.9.5.safetensors"],
  text_encoders: ["t5xxl_fp16.safetensors", "umt5_xxl_fp8_e4m3fn_scaled.safetensors"],
  diffusion_models: ["wan2.1_t2v_1.3B_fp16.safetensors", "wan2.1_flf2v_720p_14B_fp16.safetensors"],
  vae: ["wan_2.1_vae.safetensors"],
  clip_vision: ["clip_vision_h.safetensors"],
};

type Spec = [unknown, Record<string, unknown>?];
interface Node {
  required: Record<string, Spec>;
  optional?: Record<string, Spec>;
  output: string[];
  output_node?: boolean;
  category: string;
}

const int = (d: number, min = 0, max = Number.MAX_SAFE_INTEGER, step = 1): Spec => ["INT", { default: d, min, max, step }];
const float = (d: number, min = 0, max = 100, step = 0.01): Spec => ["FLOAT", { default: d, min, max, step }];
const legacy = (options: string[], opts: Record<string, unknown> = {}): Spec => [options, opts];
const combo = (options: string[], d?: string): Spec => ["COMBO", { options, default: d ?? options[0], multiselect: false }];
const link = (type: string): Spec => [type, {}];

const SAMPLERS = ["euler", "euler_ancestral", "heun", "dpmpp_2m", "res_multistep", "uni_pc", "uni_pc_bh2", "lcm"];
const SCHEDULERS = ["simple", "normal", "karras", "exponential", "sgm_uniform", "beta"];
const CLIP_TYPES = ["stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart", "cosmos", "lumina2", "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image", "hunyuan_image"];

function nodes(models: ModelFolders, inputFiles: string[]): Record<string, Node> {
  const files = (folder: string): string[] => models[folder] ?? [];
  const videos = inputFiles.filter((f) => /\.(mp4|webm|mov|mkv)$/i.test(f));
  const images = inputFiles.filter((f) => /\.(png|jpe?g|webp)$/i.test(f));
  return {
    CheckpointLoaderSimple: { required: { ckpt_name: legacy(files("checkpoints")) }, output: ["MODEL", "CLIP", "VAE"], category: "loaders" },
    CLIPLoader: {
      required: { clip_name: legacy(files("text_encoders")), type: legacy(CLIP_TYPES) },
      optional: { device: legacy(["default", "cpu"], { advanced: true }) },
      output: ["CLIP"],
      category: "advanced/loaders",
    },
    UNETLoader: { required: { unet_name: legacy(files("diffusion_models")), weight_dtype: legacy(["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"]) }, output: ["MODEL"], category: "advanced/loaders" },
    VAELoader: { required: { vae_name: legacy(files("vae")) }, output: ["VAE"], category: "loaders" },
    CLIPVisionLoader: { required: { clip_name: legacy(files("clip_vision")) }, output: ["CLIP_VISION"], category: "loaders" },
    CLIPVisionEncode: { required: { clip_vision: link("CLIP_VISION"), image: link("IMAGE"), crop: legacy(["center", "none"]) }, output: ["CLIP_VISION_OUTPUT"], category: "conditioning" },
    CLIPTextEncode: { required: { text: ["STRING", { multiline: true, dynamicPrompts: true }], clip: link("CLIP") }, output: ["CONDITIONING"], category: "conditioning" },
    VAEDecode: { required: { samples: link("LATENT"), vae: link("VAE") }, output: ["IMAGE"], category: "latent" },
    KSampler: {
      required: {
        model: link("MODEL"),
        seed: int(0),
        steps: int(20, 1, 10000),
        cfg: float(8, 0, 100),
        sampler_name: legacy(SAMPLERS),
        scheduler: legacy(SCHEDULERS),
        positive: link("CONDITIONING"),
        negative: link("CONDITIONING"),
        latent_image: link("LATENT"),
        denoise: float(1, 0, 1),
      },
      output: ["LATENT"],
      category: "sampling",
    },
    ModelSamplingSD3: { required: { model: link("MODEL"), shift: float(3, 0, 100) }, output: ["MODEL"], category: "advanced/model" },
    KSamplerSelect: { required: { sampler_name: combo(SAMPLERS) }, output: ["SAMPLER"], category: "sampling/custom_sampling/samplers" },
    SamplerCustom: {
      required: {
        model: link("MODEL"),
        add_noise: ["BOOLEAN", { default: true }],
        noise_seed: int(0),
        cfg: float(8, 0, 100),
        positive: link("CONDITIONING"),
        negative: link("CONDITIONING"),
        sampler: link("SAMPLER"),
        sigmas: link("SIGMAS"),
        latent_image: link("LATENT"),
      },
      output: ["LATENT", "LATENT"],
      category: "sampling/custom_sampling",
    },
    LoadImage: { required: { image: legacy(images, { image_upload: true }) }, output: ["IMAGE", "MASK"], category: "image" },
    EmptyLTXVLatentVideo: { required: { width: int(768, 64, 16384, 32), height: int(512, 64, 16384, 32), length: int(97, 1, 16384, 8), batch_size: int(1, 1, 4096) }, output: ["LATENT"], category: "latent/video/ltxv" },
    LTXVConditioning: { required: { positive: link("CONDITIONING"), negative: link("CONDITIONING"), frame_rate: float(25, 0, 1000) }, output: ["CONDITIONING", "CONDITIONING"], category: "conditioning/video_models" },
    LTXVScheduler: {
      required: { steps: int(20, 1, 10000), max_shift: float(2.05, 0, 100), base_shift: float(0.95, 0, 100), stretch: ["BOOLEAN", { default: true }], terminal: float(0.1, 0, 0.99) },
      optional: { latent: link("LATENT") },
      output: ["SIGMAS"],
      category: "sampling/custom_sampling/schedulers",
    },
    LTXVPreprocess: { required: { image: link("IMAGE"), img_compression: int(35, 0, 100) }, output: ["IMAGE"], category: "image" },
    LTXVAddGuide: {
      required: { positive: link("CONDITIONING"), negative: link("CONDITIONING"), vae: link("VAE"), latent: link("LATENT"), image: link("IMAGE"), frame_idx: int(0, -9999, 9999), strength: float(1, 0, 1) },
      output: ["CONDITIONING", "CONDITIONING", "LATENT"],
      category: "conditioning/video_models",
    },
    LTXVCropGuides: { required: { positive: link("CONDITIONING"), negative: link("CONDITIONING"), latent: link("LATENT") }, output: ["CONDITIONING", "CONDITIONING", "LATENT"], category: "conditioning/video_models" },
    EmptyHunyuanLatentVideo: { required: { width: int(848, 16, 16384, 16), height: int(480, 16, 16384, 16), length: int(25, 1, 16384, 4), batch_size: int(1, 1, 4096) }, output: ["LATENT"], category: "latent/video" },
    WanFirstLastFrameToVideo: {
      required: { positive: link("CONDITIONING"), negative: link("CONDITIONING"), vae: link("VAE"), width: int(832, 16, 16384, 16), height: int(480, 16, 16384, 16), length: int(81, 1, 16384, 4), batch_size: int(1, 1, 4096) },
      optional: { clip_vision_start_image: link("CLIP_VISION_OUTPUT"), clip_vision_end_image: link("CLIP_VISION_OUTPUT"), start_image: link("IMAGE"), end_image: link("IMAGE") },
      output: ["CONDITIONING", "CONDITIONING", "LATENT"],
      category: "conditioning/video_models",
    },
    LoadVideo: { required: { file: combo(videos) }, output: ["VIDEO"], category: "image/video" },
    GetVideoComponents: { required: { video: link("VIDEO") }, output: ["IMAGE", "AUDIO", "FLOAT"], category: "image/video" },
    CreateVideo: { required: { images: link("IMAGE"), fps: float(30, 1, 120, 1) }, optional: { audio: link("AUDIO") }, output: ["VIDEO"], category: "image/video" },
    SaveVideo: {
      required: { video: link("VIDEO"), filename_prefix: ["STRING", { default: "video/ComfyUI" }], format: combo(["auto", "mp4"], "auto"), codec: combo(["auto", "h264"], "auto") },
      output: [],
      output_node: true,
      category: "image/video",
    },
  };
}

/** The reply body of GET /object_info. */
export function objectInfo(models: ModelFolders, inputFiles: string[], without: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(nodes(models, inputFiles))) {
    if (without.includes(name)) continue;
    out[name] = {
      input: { required: node.required, ...(node.optional ? { optional: node.optional } : {}) },
      input_order: { required: Object.keys(node.required), ...(node.optional ? { optional: Object.keys(node.optional) } : {}) },
      output: node.output,
      output_is_list: node.output.map(() => false),
      output_name: node.output,
      name,
      display_name: name,
      description: "",
      python_module: "nodes",
      category: node.category,
      output_node: node.output_node ?? false,
    };
  }
  return out;
}
