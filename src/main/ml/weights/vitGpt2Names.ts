// ViT-GPT2 checkpoint names: the architecture read from / written to a Hugging Face config.json and
// every tensor of a VisionEncoderDecoderModel(ViTModel, GPT2LMHeadModel) state dict with its shape.
import { AppError } from '../../../shared/result';

export interface VitArch {
  imageSize: number;
  patchSize: number;
  channels: number;
  hidden: number;
  layers: number;
  heads: number;
  mlp: number;
  layerNormEps: number;
  qkvBias: boolean;
  hiddenAct: 'gelu';
}

export interface Gpt2Arch {
  vocabSize: number;
  positions: number;
  hidden: number;
  layers: number;
  heads: number;
  mlp: number;
  layerNormEps: number;
  activation: 'gelu_new';
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  decoderStartTokenId: number;
}

export interface VitGpt2Arch {
  encoder: VitArch;
  decoder: Gpt2Arch;
}

/** Number of patches of the encoder's image grid (without the CLS token). */
export const vitPatches = (a: VitArch): number => (a.imageSize / a.patchSize) ** 2;

/**
 * Every tensor of a VisionEncoderDecoderModel(ViT, GPT-2) state dict with its stored shape, canonical
 * names (decoder under `decoder.transformer.*`, `decoder.lm_head.weight` tied to wte and NOT listed,
 * pooler listed only with {pooler:true}, `enc_to_dec_proj.{weight,bias}` only when encoder.hidden !==
 * decoder.hidden). Shapes as HF stores them: nn.Linear [out, in]; GPT-2 Conv1D [in, out]; patch conv
 * [hidden, channels, patch, patch].
 */
export function expectedTensors(a: VitGpt2Arch, opts: { pooler?: boolean } = {}): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const e = a.encoder;
  const D = e.hidden;
  const lin = (name: string, out: number, inp: number, bias = true) => {
    m.set(`${name}.weight`, [out, inp]);
    if (bias) m.set(`${name}.bias`, [out]);
  };
  const ln = (name: string, d: number) => {
    m.set(`${name}.weight`, [d]);
    m.set(`${name}.bias`, [d]);
  };
  m.set('encoder.embeddings.cls_token', [1, 1, D]);
  m.set('encoder.embeddings.position_embeddings', [1, vitPatches(e) + 1, D]);
  m.set('encoder.embeddings.patch_embeddings.projection.weight', [D, e.channels, e.patchSize, e.patchSize]);
  m.set('encoder.embeddings.patch_embeddings.projection.bias', [D]);
  for (let i = 0; i < e.layers; i++) {
    const p = `encoder.encoder.layer.${i}`;
    for (const q of ['query', 'key', 'value']) lin(`${p}.attention.attention.${q}`, D, D, e.qkvBias);
    lin(`${p}.attention.output.dense`, D, D);
    lin(`${p}.intermediate.dense`, e.mlp, D);
    lin(`${p}.output.dense`, D, e.mlp);
    ln(`${p}.layernorm_before`, D);
    ln(`${p}.layernorm_after`, D);
  }
  ln('encoder.layernorm', D);
  if (opts.pooler) lin('encoder.pooler.dense', D, D);

  const d = a.decoder;
  const H = d.hidden;
  const conv = (name: string, inp: number, out: number) => {
    m.set(`${name}.weight`, [inp, out]);
    m.set(`${name}.bias`, [out]);
  };
  m.set('decoder.transformer.wte.weight', [d.vocabSize, H]);
  m.set('decoder.transformer.wpe.weight', [d.positions, H]);
  for (let i = 0; i < d.layers; i++) {
    const p = `decoder.transformer.h.${i}`;
    ln(`${p}.ln_1`, H);
    conv(`${p}.attn.c_attn`, H, 3 * H);
    conv(`${p}.attn.c_proj`, H, H);
    ln(`${p}.ln_cross_attn`, H);
    conv(`${p}.crossattention.c_attn`, H, 2 * H);
    conv(`${p}.crossattention.q_attn`, H, H);
    conv(`${p}.crossattention.c_proj`, H, H);
    ln(`${p}.ln_2`, H);
    conv(`${p}.mlp.c_fc`, H, d.mlp);
    conv(`${p}.mlp.c_proj`, d.mlp, H);
  }
  ln('decoder.transformer.ln_f', H);
  if (D !== H) lin('enc_to_dec_proj', H, D);
  return m;
}

// ---------------------------------------------------------------------------------------------
// config.json ⇄ arch

type Json = Record<string, unknown>;

const VIT_DEFAULTS = {
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  layer_norm_eps: 1e-12,
  image_size: 224,
  patch_size: 16,
  num_channels: 3,
  qkv_bias: true,
} as const;

const GPT2_DEFAULTS = {
  vocab_size: 50257,
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  bos_token_id: 50256,
  eos_token_id: 50256,
} as const;

/** Upper bounds that keep a hostile or mistyped config from describing gigabyte tensors. */
const MAX_DIM = 65_536;
const MAX_VOCAB = 1_048_576;
const MAX_LAYERS = 256;
const MAX_PARAMS = 4_000_000_000;

const bad = (where: string, what: string) =>
  new AppError('invalid_argument', `${where}: ${what}. Fix config.json or use the checkpoint's own one.`);

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function int(c: Json, key: string, def: number | undefined, where: string, max: number, min = 1): number {
  const v = c[key] ?? def;
  if (v === undefined) throw bad(where, `"${key}" is missing`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(where, `"${key}" is ${JSON.stringify(v)}; expected an integer from ${min} to ${max}`);
  return v;
}

function num(c: Json, key: string, def: number, where: string): number {
  const v = c[key] ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1)
    throw bad(where, `"${key}" is ${JSON.stringify(v)}; expected a small positive number`);
  return v;
}

/** Refuses settings that change the maths away from what the model implements. */
function refuse(c: Json, key: string, ok: (v: unknown) => boolean, where: string, why: string) {
  if (key in c && !ok(c[key]))
    throw bad(where, `"${key}": ${JSON.stringify(c[key])} is not supported (${why})`);
}

function vitFrom(c: Json, where: string): VitArch {
  if (c.model_type !== 'vit')
    throw bad(
      where,
      `the encoder's model_type is ${JSON.stringify(c.model_type)}; only "vit" (ViTModel) is supported`,
    );
  const hiddenAct = c.hidden_act ?? VIT_DEFAULTS.hidden_act;
  if (hiddenAct !== 'gelu')
    throw bad(where, `hidden_act ${JSON.stringify(hiddenAct)} is not supported; ViT uses exact "gelu"`);
  const qkv = c.qkv_bias ?? VIT_DEFAULTS.qkv_bias;
  if (typeof qkv !== 'boolean')
    throw bad(where, `"qkv_bias" is ${JSON.stringify(qkv)}; expected true or false`);
  const a: VitArch = {
    imageSize: int(c, 'image_size', VIT_DEFAULTS.image_size, where, 4096),
    patchSize: int(c, 'patch_size', VIT_DEFAULTS.patch_size, where, 1024),
    channels: int(c, 'num_channels', VIT_DEFAULTS.num_channels, where, 16),
    hidden: int(c, 'hidden_size', VIT_DEFAULTS.hidden_size, where, MAX_DIM),
    layers: int(c, 'num_hidden_layers', VIT_DEFAULTS.num_hidden_layers, where, MAX_LAYERS),
    heads: int(c, 'num_attention_heads', VIT_DEFAULTS.num_attention_heads, where, 1024),
    mlp: int(c, 'intermediate_size', VIT_DEFAULTS.intermediate_size, where, 4 * MAX_DIM),
    layerNormEps: num(c, 'layer_norm_eps', VIT_DEFAULTS.layer_norm_eps, where),
    qkvBias: qkv,
    hiddenAct: 'gelu',
  };
  if (Array.isArray(c.image_size) || Array.isArray(c.patch_size))
    throw bad(where, 'only square images and patches (one number each) are supported');
  if (a.imageSize % a.patchSize !== 0)
    throw bad(where, `image_size ${a.imageSize} is not a multiple of patch_size ${a.patchSize}`);
  if (a.hidden % a.heads !== 0)
    throw bad(where, `hidden_size ${a.hidden} is not a multiple of num_attention_heads ${a.heads}`);
  if (vitPatches(a) > 65_536) throw bad(where, `${vitPatches(a)} patches is more than 65536`);
  return a;
}

function tokenId(v: unknown, vocab: number, where: string, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= vocab)
    throw bad(where, `"${key}" is ${JSON.stringify(v)}; expected a token id below vocab_size ${vocab}`);
  return v;
}

function gpt2From(c: Json, top: Json, where: string, notes: string[]): Gpt2Arch {
  if (c.model_type !== 'gpt2')
    throw bad(where, `the decoder's model_type is ${JSON.stringify(c.model_type)}; only "gpt2" is supported`);
  const act = c.activation_function ?? GPT2_DEFAULTS.activation_function;
  if (act !== 'gelu_new')
    throw bad(where, `activation_function ${JSON.stringify(act)} is not supported; GPT-2 uses "gelu_new"`);
  refuse(c, 'scale_attn_weights', (v) => v === true, where, 'GPT-2 scales attention by 1/sqrt(head size)');
  refuse(c, 'scale_attn_by_inverse_layer_idx', (v) => v === false, where, 'Mistral-style layer scaling');
  refuse(c, 'reorder_and_upcast_attn', (v) => v === false, where, 'only the standard attention order');
  refuse(c, 'tie_word_embeddings', (v) => v === true, where, 'the LM head is tied to wte');
  if (c.add_cross_attention !== true)
    notes.push(
      'The decoder config had no "add_cross_attention": true; it was set, as VisionEncoderDecoderModel does ' +
        'when it joins a decoder, and the cross-attention blocks are new.',
    );
  const H = int(c, 'n_embd', GPT2_DEFAULTS.n_embd, where, MAX_DIM);
  const heads = int(c, 'n_head', GPT2_DEFAULTS.n_head, where, 1024);
  if (H % heads !== 0) throw bad(where, `n_embd ${H} is not a multiple of n_head ${heads}`);
  const inner = c.n_inner ?? GPT2_DEFAULTS.n_inner;
  const mlp = inner === null ? 4 * H : int(c, 'n_inner', undefined, where, 4 * MAX_DIM);
  const vocabSize = int(c, 'vocab_size', GPT2_DEFAULTS.vocab_size, where, MAX_VOCAB);
  const id = (key: string) =>
    tokenId(top[key], vocabSize, where, key) ?? tokenId(c[key], vocabSize, where, key);
  const bos = id('bos_token_id') ?? GPT2_DEFAULTS.bos_token_id;
  const eos = id('eos_token_id') ?? GPT2_DEFAULTS.eos_token_id;
  if (bos >= vocabSize || eos >= vocabSize)
    throw bad(where, `bos/eos token ids (${bos}, ${eos}) are not below vocab_size ${vocabSize}; set them`);
  let pad = id('pad_token_id');
  if (pad === undefined) {
    pad = eos;
    notes.push(`No pad_token_id: padding uses eos (${eos}), as GPT-2 captioners do.`);
  }
  let start = id('decoder_start_token_id');
  if (start === undefined) {
    start = bos;
    notes.push(`No decoder_start_token_id: decoding starts from bos (${bos}), as generate() does.`);
  }
  const cross = c.cross_attention_hidden_size;
  if (cross !== undefined && cross !== null)
    throw bad(
      where,
      '"cross_attention_hidden_size" is not supported for GPT-2 (its cross-attention reads n_embd)',
    );
  return {
    vocabSize,
    positions: int(c, 'n_positions', GPT2_DEFAULTS.n_positions, where, 65_536),
    hidden: H,
    layers: int(c, 'n_layer', GPT2_DEFAULTS.n_layer, where, MAX_LAYERS),
    heads,
    mlp,
    layerNormEps: num(c, 'layer_norm_epsilon', GPT2_DEFAULTS.layer_norm_epsilon, where),
    activation: 'gelu_new',
    bosTokenId: bos,
    eosTokenId: eos,
    padTokenId: pad,
    decoderStartTokenId: start,
  };
}

/** Parameter count of an arch (lm_head tied, pooler excluded), for the size guard. */
export function paramCount(a: VitGpt2Arch, opts: { pooler?: boolean } = {}): number {
  let n = 0;
  for (const s of expectedTensors(a, opts).values()) n += s.reduce((x, y) => x * y, 1);
  return n;
}

export interface ArchFromConfig {
  arch: VitGpt2Arch;
  /** What was assumed or set while reading (shown to the user). */
  notes: string[];
}

/**
 * The architecture from a VisionEncoderDecoder config.json, or from an encoder config (ViT) plus a
 * decoder config (GPT-2) that are joined. Fields a config leaves out take transformers' class
 * defaults (ViTConfig, GPT2Config), as `from_pretrained` does. Throws AppError('invalid_argument')
 * naming the field; settings that change the maths (other activations, layer-scaled attention) are
 * refused.
 */
export function archFromHfConfig(json: unknown, decoderJson?: unknown): ArchFromConfig {
  const notes: string[] = [];
  let enc: unknown;
  let dec: unknown;
  let top: Json = {};
  if (decoderJson === undefined) {
    if (!isObj(json)) throw bad('config.json', 'it is not a JSON object');
    if (json.model_type !== 'vision-encoder-decoder')
      throw bad(
        'config.json',
        `model_type is ${JSON.stringify(json.model_type)}, not "vision-encoder-decoder"; for a separate ` +
          'encoder and decoder give both folders',
      );
    enc = json.encoder;
    dec = json.decoder;
    top = json;
    if (!isObj(enc) || !isObj(dec)) throw bad('config.json', 'it needs "encoder" and "decoder" objects');
  } else {
    enc = json;
    dec = decoderJson;
    if (!isObj(enc)) throw bad('encoder config.json', 'it is not a JSON object');
    if (!isObj(dec)) throw bad('decoder config.json', 'it is not a JSON object');
    if (dec.is_decoder !== true)
      notes.push('The decoder config had no "is_decoder": true; it was set (causal self-attention).');
  }
  const where = decoderJson === undefined ? 'config.json' : 'encoder config.json';
  const arch: VitGpt2Arch = {
    encoder: vitFrom(enc as Json, where),
    decoder: gpt2From(
      dec as Json,
      top,
      decoderJson === undefined ? 'config.json' : 'decoder config.json',
      notes,
    ),
  };
  const n = paramCount(arch);
  if (n > MAX_PARAMS) throw bad('config.json', `it describes ${n} parameters, more than ${MAX_PARAMS}`);
  return {
    arch: Object.freeze({ encoder: Object.freeze(arch.encoder), decoder: Object.freeze(arch.decoder) }),
    notes,
  };
}

/**
 * PretrainedConfig's own attributes with their defaults, as `to_dict()` writes them into a nested
 * encoder or decoder config (transformers 4.46; `_commit_hash`, `_attn_implementation_internal` and
 * the nested `transformers_version` are dropped by to_dict).
 */
function pretrainedConfigBase(): Json {
  return {
    return_dict: true,
    output_hidden_states: false,
    output_attentions: false,
    torchscript: false,
    torch_dtype: null,
    use_bfloat16: false,
    tf_legacy_loss: false,
    pruned_heads: {},
    tie_word_embeddings: true,
    chunk_size_feed_forward: 0,
    is_encoder_decoder: false,
    is_decoder: false,
    cross_attention_hidden_size: null,
    add_cross_attention: false,
    tie_encoder_decoder: false,
    max_length: 20,
    min_length: 0,
    do_sample: false,
    early_stopping: false,
    num_beams: 1,
    num_beam_groups: 1,
    diversity_penalty: 0.0,
    temperature: 1.0,
    top_k: 50,
    top_p: 1.0,
    typical_p: 1.0,
    repetition_penalty: 1.0,
    length_penalty: 1.0,
    no_repeat_ngram_size: 0,
    encoder_no_repeat_ngram_size: 0,
    bad_words_ids: null,
    num_return_sequences: 1,
    output_scores: false,
    return_dict_in_generate: false,
    forced_bos_token_id: null,
    forced_eos_token_id: null,
    remove_invalid_values: false,
    exponential_decay_length_penalty: null,
    suppress_tokens: null,
    begin_suppress_tokens: null,
    architectures: null,
    finetuning_task: null,
    id2label: { '0': 'LABEL_0', '1': 'LABEL_1' },
    label2id: { LABEL_0: 0, LABEL_1: 1 },
    tokenizer_class: null,
    prefix: null,
    bos_token_id: null,
    pad_token_id: null,
    eos_token_id: null,
    sep_token_id: null,
    decoder_start_token_id: null,
    task_specific_params: null,
    problem_type: null,
    _name_or_path: '',
  };
}

/**
 * The config.json transformers 4.46 writes for this arch (VisionEncoderDecoderModel.save_pretrained):
 * to_diff_dict keeps the top-level fields that differ from PretrainedConfig's defaults and, the
 * config being a composition, the encoder (ViTConfig) and decoder (GPT2Config, is_decoder and
 * add_cross_attention set) as full to_dict() objects.
 */
export function hfConfigFromArch(a: VitGpt2Arch, transformersVersion = '4.46.3'): Json {
  const e = a.encoder;
  const d = a.decoder;
  const encoder: Json = {
    ...pretrainedConfigBase(),
    model_type: 'vit',
    hidden_size: e.hidden,
    num_hidden_layers: e.layers,
    num_attention_heads: e.heads,
    intermediate_size: e.mlp,
    hidden_act: e.hiddenAct,
    hidden_dropout_prob: 0.0,
    attention_probs_dropout_prob: 0.0,
    initializer_range: 0.02,
    layer_norm_eps: e.layerNormEps,
    image_size: e.imageSize,
    patch_size: e.patchSize,
    num_channels: e.channels,
    qkv_bias: e.qkvBias,
    encoder_stride: 16,
  };
  const decoder: Json = {
    ...pretrainedConfigBase(),
    model_type: 'gpt2',
    vocab_size: d.vocabSize,
    n_positions: d.positions,
    n_embd: d.hidden,
    n_layer: d.layers,
    n_head: d.heads,
    n_inner: d.mlp === 4 * d.hidden ? null : d.mlp,
    activation_function: d.activation,
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    layer_norm_epsilon: d.layerNormEps,
    initializer_range: 0.02,
    summary_type: 'cls_index',
    summary_use_proj: true,
    summary_activation: null,
    summary_proj_to_labels: true,
    summary_first_dropout: 0.1,
    scale_attn_weights: true,
    use_cache: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    bos_token_id: d.bosTokenId,
    eos_token_id: d.eosTokenId,
    pad_token_id: d.padTokenId,
    decoder_start_token_id: d.decoderStartTokenId,
    is_decoder: true,
    add_cross_attention: true,
  };
  return {
    architectures: ['VisionEncoderDecoderModel'],
    bos_token_id: d.bosTokenId,
    decoder,
    decoder_start_token_id: d.decoderStartTokenId,
    encoder,
    eos_token_id: d.eosTokenId,
    is_encoder_decoder: true,
    model_type: 'vision-encoder-decoder',
    pad_token_id: d.padTokenId,
    torch_dtype: 'float32',
    transformers_version: transformersVersion,
  };
}
