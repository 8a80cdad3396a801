#!/usr/bin/python3
"""PyTorch reference of our captioning models at the bench config, for `npm run bench`.

usage: /usr/bin/python3 bench/torch_ref.py MODEL [--threads N] [--infer-threads N] [--quick]
MODEL: cnn-lstm | cnn-lstm-attn | vit-gpt2 (the ids of the app's model table).
Same models as src/main/ml/models at the tiny preset (64x64 images, 3 convs 32/64/128, embedding 128,
2-layer LSTM 256, attention 128 with the f_beta gate and the doubly stochastic regulariser), the same
training step as the trainer (Adam 1e-3, gradient norm clipped at 5, teacher forcing) on random data
of the bench shapes (batch 32, captions of 16 tokens, vocabulary 32), and greedy decoding of 15 fixed
steps at batch 1 and 32. Prints one JSON line.
"""
import argparse, json, math, resource, time
import torch, torch.nn as nn, torch.nn.functional as F

V, T, B = 32, 16, 32


class Cnn(nn.Module):  # conv3x3 + ReLU + maxpool2, three times: [N,3,64,64] -> [N,128,8,8]
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(i, o, 3, padding=1) for i, o in ((3, 32), (32, 64), (64, 128))])

    def forward(self, x):
        for c in self.convs:
            x = F.max_pool2d(F.relu(c(x)), 2)
        return x


class CnnLstm(nn.Module):  # image embedding -> h and c of both layers; embedding -> LSTM x2 -> dense
    def __init__(self):
        super().__init__()
        self.cnn, self.init, self.emb = Cnn(), nn.Linear(128, 256), nn.Embedding(V, 128)
        self.lstm, self.out = nn.LSTM(128, 256, num_layers=2, batch_first=True), nn.Linear(256, V)

    def state(self, img):
        h = torch.tanh(self.init(self.cnn(img).mean((2, 3)))).unsqueeze(0).repeat(2, 1, 1)
        return h, h.clone()

    def loss(self, img, tok):
        y, _ = self.lstm(self.emb(tok[:, :-1]), self.state(img))
        return F.cross_entropy(self.out(y).reshape(-1, V), tok[:, 1:].reshape(-1))

    @torch.no_grad()
    def greedy(self, img):
        st, w, out = self.state(img), torch.ones(img.shape[0], 1, dtype=torch.long), []
        for _ in range(T - 1):
            y, st = self.lstm(self.emb(w), st)
            w = self.out(y[:, -1]).argmax(-1, keepdim=True)
            out.append(w)
        return torch.cat(out, 1)


class CnnLstmAttn(nn.Module):  # Show, Attend and Tell as our cnn-lstm-attn
    def __init__(self):
        super().__init__()
        self.cnn, self.init, self.emb = Cnn(), nn.Linear(128, 256), nn.Embedding(V, 128)
        self.enc_att, self.dec_att, self.full_att = nn.Linear(128, 128), nn.Linear(256, 128), nn.Linear(128, 1)
        self.f_beta = nn.Linear(256, 128)
        self.l1, self.l2, self.out = nn.LSTMCell(256, 256), nn.LSTMCell(256, 256), nn.Linear(384, V)

    def encode(self, img):
        f = self.cnn(img).flatten(2).transpose(1, 2)  # [N,64,128]
        h = torch.tanh(self.init(f.mean(1)))
        return f, self.enc_att(f), [(h, h.clone()), (h.clone(), h.clone())]

    def step(self, w, f, fp, st):
        q = st[1][0]  # the top LSTM's previous hidden state
        alpha = F.softmax(self.full_att(torch.tanh(fp + self.dec_att(q).unsqueeze(1))).squeeze(-1), 1)
        ctx = torch.sigmoid(self.f_beta(q)) * (alpha.unsqueeze(-1) * f).sum(1)
        s1 = self.l1(torch.cat([self.emb(w), ctx], 1), st[0])
        s2 = self.l2(s1[0], st[1])
        return self.out(torch.cat([s2[0], ctx], 1)), [s1, s2], alpha

    def loss(self, img, tok):
        f, fp, st = self.encode(img)
        logits, alphas = [], []
        for t in range(T - 1):
            o, st, a = self.step(tok[:, t], f, fp, st)
            logits.append(o)
            alphas.append(a)
        xent = F.cross_entropy(torch.stack(logits, 1).reshape(-1, V), tok[:, 1:].reshape(-1))
        return xent + ((1 - torch.stack(alphas, 1).sum(1)) ** 2).mean()

    @torch.no_grad()
    def greedy(self, img):
        f, fp, st = self.encode(img)
        w, out = torch.ones(img.shape[0], dtype=torch.long), []
        for _ in range(T - 1):
            o, st, _ = self.step(w, f, fp, st)
            w = o.argmax(-1)
            out.append(w)
        return torch.stack(out, 1)


class Mha(nn.Module):  # GPT-2 layout: fused qkv (self) or q + kv (cross), output projection
    def __init__(self, d=128, heads=4, cross=False):
        super().__init__()
        self.h, self.cross = heads, cross
        self.q, self.kv = (nn.Linear(d, d), nn.Linear(d, 2 * d)) if cross else (None, nn.Linear(d, 3 * d))
        self.o = nn.Linear(d, d)

    def forward(self, x, src=None, causal=False):
        n, l, d = x.shape
        if self.cross:
            q, (k, v) = self.q(x), self.kv(src).chunk(2, -1)
        else:
            q, k, v = self.kv(x).chunk(3, -1)
        heads = lambda t: t.reshape(n, -1, self.h, d // self.h).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        s = q @ k.transpose(-1, -2) / math.sqrt(d // self.h)
        if causal:
            s = s.masked_fill(torch.ones(l, l, dtype=torch.bool).triu(1), float('-inf'))
        return self.o((s.softmax(-1) @ v).transpose(1, 2).reshape(n, l, d))


class Block(nn.Module):  # pre-LN transformer block, cross attention in decoder blocks
    def __init__(self, dec):
        super().__init__()
        self.dec, self.ln1, self.att, self.ln3 = dec, nn.LayerNorm(128), Mha(), nn.LayerNorm(128)
        if dec:
            self.ln2, self.xatt = nn.LayerNorm(128), Mha(cross=True)
        self.mlp = nn.Sequential(nn.Linear(128, 512), nn.GELU(approximate='tanh' if dec else 'none'), nn.Linear(512, 128))

    def forward(self, x, src=None):
        x = x + self.att(self.ln1(x), causal=self.dec)
        if self.dec:
            x = x + self.xatt(self.ln2(x), src)
        return x + self.mlp(self.ln3(x))


class VitGpt2(nn.Module):  # ViT (patch 8, CLS, 4 blocks) + GPT-2 decoder (4 blocks, tied head)
    def __init__(self):
        super().__init__()
        self.patch, self.cls = nn.Conv2d(3, 128, 8, 8), nn.Parameter(torch.zeros(1, 1, 128))
        self.vpos = nn.Parameter(torch.randn(1, 65, 128) * 0.02)
        self.enc, self.vln = nn.ModuleList([Block(False) for _ in range(4)]), nn.LayerNorm(128)
        self.wte, self.wpe = nn.Embedding(V, 128), nn.Embedding(T, 128)
        self.dec, self.dln = nn.ModuleList([Block(True) for _ in range(4)]), nn.LayerNorm(128)

    def encode(self, img):
        x = self.patch(img).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.vpos
        for b in self.enc:
            x = b(x)
        return self.vln(x)

    def logits(self, tok, src):
        x = self.wte(tok) + self.wpe(torch.arange(tok.shape[1]))
        for b in self.dec:
            x = b(x, src)
        return self.dln(x) @ self.wte.weight.t()

    def loss(self, img, tok):
        return F.cross_entropy(self.logits(tok[:, :-1], self.encode(img)).reshape(-1, V), tok[:, 1:].reshape(-1))

    @torch.no_grad()
    def greedy(self, img):  # recomputes the prefix (no cache): an upper bound on its time
        src, tok = self.encode(img), torch.ones(img.shape[0], 1, dtype=torch.long)
        for _ in range(T - 1):
            tok = torch.cat([tok, self.logits(tok, src)[:, -1].argmax(-1, keepdim=True)], 1)
        return tok[:, 1:]


MODELS = {'cnn-lstm': CnnLstm, 'cnn-lstm-attn': CnnLstmAttn, 'vit-gpt2': VitGpt2}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model', choices=sorted(MODELS))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--infer-threads', type=int, default=1)
    ap.add_argument('--quick', action='store_true')
    a = ap.parse_args()
    torch.manual_seed(0)
    warm, steps = (1, 2) if a.quick else (3, 8)
    m = MODELS[a.model]()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    img = torch.rand(B, 3, 64, 64) * 2 - 1
    tok = torch.randint(4, V, (B, T))
    tok[:, 0] = 1
    torch.set_num_threads(a.threads)
    ts = []
    for i in range(warm + steps):
        t0 = time.perf_counter()
        loss = m.loss(img, tok)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 5.0)
        opt.step()
        loss = loss.item()
        if i >= warm:
            ts.append(time.perf_counter() - t0)
    step = sorted(ts)[len(ts) // 2]
    m.eval()
    torch.set_num_threads(a.infer_threads)
    greedy = {}
    for bs in (1, 32):
        x = img[:bs]
        m.greedy(x)
        tt = []
        for _ in range(1 if a.quick else (9 if bs == 1 else 3)):
            t0 = time.perf_counter()
            m.greedy(x)
            tt.append(time.perf_counter() - t0)
        greedy[bs] = sorted(tt)[len(tt) // 2] * 1000 / bs
    print(json.dumps({'model': a.model, 'backend': f'torch {torch.__version__} t{a.threads}/{a.infer_threads}',
                      'openblas': 'openblas' in open('/proc/self/maps').read(), 'stepMs': step * 1000,
                      'imgPerSec': B / step, 'greedyMsB1': greedy[1], 'greedyMsB32': greedy[32], 'loss': loss,
                      'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
