// Tests the ViT-GPT2 tensor name list and the config.json ⇄ arch mapping.
import { describe, expect, it } from 'vitest';
import { archFromHfConfig, expectedTensors, hfConfigFromArch, type VitGpt2Arch } from './vitGpt2Names';

const tiny: VitGpt2Arch = {
  encoder: {
    imageSize: 32,
    patchSize: 8,
    channels: 3,
    hidden: 32,
    layers: 2,
    heads: 2,
    mlp: 64,
    layerNormEps: 1e-12,
    qkvBias: true,
    hiddenAct: 'gelu',
  },
  decoder: {
    vocabSize: 100,
    positions: 16,
    hidden: 32,
    layers: 2,
    heads: 2,
    mlp: 128,
    layerNormEps: 1e-5,
    activation: 'gelu_new',
    bosTokenId: 99,
    eosTokenId: 99,
    padTokenId: 99,
    decoderStartTokenId: 99,
  },
};

describe('expectedTensors', () => {
  it('lists every tensor of the tiny model with HF shapes', () => {
    const m = expectedTensors(tiny);
    // encoder: 4 embeddings + 16 per layer + 2 final; decoder: 2 + 20 per layer + 2
    expect(m.size).toBe(4 + 16 * 2 + 2 + 2 + 20 * 2 + 2);
    expect(m.get('encoder.embeddings.position_embeddings')).toEqual([1, 17, 32]);
    expect(m.get('encoder.embeddings.patch_embeddings.projection.weight')).toEqual([32, 3, 8, 8]);
    expect(m.get('encoder.encoder.layer.1.intermediate.dense.weight')).toEqual([64, 32]);
    expect(m.get('decoder.transformer.h.0.attn.c_attn.weight')).toEqual([32, 96]);
    expect(m.get('decoder.transformer.h.1.crossattention.c_attn.weight')).toEqual([32, 64]);
    expect(m.get('decoder.transformer.h.1.crossattention.q_attn.weight')).toEqual([32, 32]);
    expect(m.get('decoder.transformer.h.0.mlp.c_proj.weight')).toEqual([128, 32]);
    expect(m.has('decoder.lm_head.weight')).toBe(false);
    expect(m.has('encoder.pooler.dense.weight')).toBe(false);
    expect(m.has('enc_to_dec_proj.weight')).toBe(false);
    expect(expectedTensors(tiny, { pooler: true }).get('encoder.pooler.dense.weight')).toEqual([32, 32]);
  });

  it('adds enc_to_dec_proj [Dd, De] only when the widths differ, and drops qkv biases when off', () => {
    const a = { ...tiny, encoder: { ...tiny.encoder, hidden: 48, heads: 3, qkvBias: false } };
    const m = expectedTensors(a);
    expect(m.get('enc_to_dec_proj.weight')).toEqual([32, 48]);
    expect(m.get('enc_to_dec_proj.bias')).toEqual([32]);
    expect(m.has('encoder.encoder.layer.0.attention.attention.query.bias')).toBe(false);
  });
});

describe('archFromHfConfig', () => {
  it('round-trips through the config transformers writes', () => {
    const cfg = hfConfigFromArch(tiny);
    const { arch, notes } = archFromHfConfig(JSON.parse(JSON.stringify(cfg)));
    expect(arch).toEqual(tiny);
    expect(notes).toEqual([]);
  });

  it('joins an encoder and a decoder config, setting add_cross_attention and saying so', () => {
    const { arch, notes } = archFromHfConfig(
      {
        model_type: 'vit',
        hidden_size: 32,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 64,
        image_size: 32,
        patch_size: 8,
      },
      {
        model_type: 'gpt2',
        vocab_size: 100,
        n_embd: 32,
        n_layer: 2,
        n_head: 2,
        n_positions: 16,
        bos_token_id: 99,
        eos_token_id: 99,
      },
    );
    expect(arch.encoder).toEqual(tiny.encoder);
    expect(arch.decoder).toEqual(tiny.decoder);
    expect(notes.join('\n')).toMatch(/add_cross_attention/);
    expect(notes.join('\n')).toMatch(/pad_token_id/);
  });

  it('takes transformers class defaults for absent fields (ViT-B/16, GPT-2 small)', () => {
    const { arch } = archFromHfConfig(
      { model_type: 'vit' },
      { model_type: 'gpt2', add_cross_attention: true },
    );
    expect(arch.encoder).toMatchObject({ hidden: 768, layers: 12, imageSize: 224, patchSize: 16, mlp: 3072 });
    expect(arch.decoder).toMatchObject({ vocabSize: 50257, hidden: 768, mlp: 3072, padTokenId: 50256 });
  });

  it('refuses configs that describe another model or other maths, naming the field', () => {
    const cfg = () => JSON.parse(JSON.stringify(hfConfigFromArch(tiny)));
    const c1 = cfg();
    c1.model_type = 'encoder-decoder';
    expect(() => archFromHfConfig(c1)).toThrow(/vision-encoder-decoder/);
    const c2 = cfg();
    c2.decoder.activation_function = 'relu';
    expect(() => archFromHfConfig(c2)).toThrow(/activation_function/);
    const c3 = cfg();
    c3.encoder.hidden_size = 31;
    expect(() => archFromHfConfig(c3)).toThrow(/multiple of num_attention_heads/);
    const c4 = cfg();
    c4.decoder.n_embd = 1e9;
    expect(() => archFromHfConfig(c4)).toThrow(/n_embd/);
    const c5 = cfg();
    c5.decoder.vocab_size = 1_000_000;
    c5.decoder.n_embd = 65_536;
    c5.decoder.n_head = 1;
    expect(() => archFromHfConfig(c5)).toThrow(/parameters/);
    const c6 = cfg();
    c6.encoder.image_size = 30;
    expect(() => archFromHfConfig(c6)).toThrow(/multiple of patch_size/);
    const c7 = cfg();
    c7.decoder.scale_attn_by_inverse_layer_idx = true;
    expect(() => archFromHfConfig(c7)).toThrow(/scale_attn_by_inverse_layer_idx/);
    const c8 = cfg();
    c8.pad_token_id = 100;
    expect(() => archFromHfConfig(c8)).toThrow(/pad_token_id/);
  });
});
