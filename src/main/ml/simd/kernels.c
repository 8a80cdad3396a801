// SIMD kernels (wasm32 + simd128) for training's backward products that tfjs's wasm backend runs
// slowly: the filter gradient of a stride-1 'same' conv, the weight gradient aᵀ·b of a dense layer and
// its input gradient a·bᵀ.
// f32 in, f32 out, row-major; the caller owns the memory layout (no allocator, no libc). Built by
// scripts/build-simd.sh into kernels.wasm, loaded by kernels.ts.
#include <wasm_simd128.h>

typedef float f32;

// c[r][0..7] += Σ_{q<nq} Σ_{p<np} a[q·aq + p·ap + r] · b[q·bq + p·bp + 0..7] for r < R (1..4):
// R broadcast scalars of `a` times two vectors of `b` per step, 2·R accumulators in registers. The
// two loops walk one span of pixels per image row (q) in the conv; the matmul has nq = 1.
static inline __attribute__((always_inline)) void tile8(int R, const f32 *a, int ap, int aq, const f32 *b, int bp,
                                                        int bq, f32 *c, int cs, int np, int nq) {
  v128_t acc[4][2];
  for (int r = 0; r < R; r++) acc[r][0] = wasm_v128_load(c + r * cs), acc[r][1] = wasm_v128_load(c + r * cs + 4);
  for (int q = 0; q < nq; q++) {
    const f32 *pa = a + q * aq, *pb = b + q * bq;
    for (int p = 0; p < np; p++, pa += ap, pb += bp) {
      v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
      for (int r = 0; r < R; r++) {
        v128_t s = wasm_v128_load32_splat(pa + r);
        acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_f32x4_mul(s, b0));
        acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_f32x4_mul(s, b1));
      }
    }
  }
  for (int r = 0; r < R; r++) wasm_v128_store(c + r * cs, acc[r][0]), wasm_v128_store(c + r * cs + 4, acc[r][1]);
}

// One element of c: the columns left over when their count is not a multiple of 8.
static void tile1x1(const f32 *a, int ap, int aq, const f32 *b, int bp, int bq, f32 *c, int np, int nq) {
  f32 s = *c;
  for (int q = 0; q < nq; q++)
    for (int p = 0; p < np; p++) s += a[q * aq + p * ap] * b[q * bq + p * bp];
  *c = s;
}

// The rows × cols block at c (rows `cs` floats apart) += the rank-(np·nq) update of tile8, tiled
// 4 rows × 8 columns (3, 2 or 1 rows at the end), scalar for the last cols % 8 columns.
static void update(const f32 *a, int ap, int aq, const f32 *b, int bp, int bq, f32 *c, int cs, int rows, int cols,
                   int np, int nq) {
  int cols8 = cols & ~7;
  for (int j = 0; j < cols8; j += 8) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) tile8(4, a + r, ap, aq, b + j, bp, bq, c + r * cs + j, cs, np, nq);
    if (rows - r == 3) tile8(3, a + r, ap, aq, b + j, bp, bq, c + r * cs + j, cs, np, nq);
    if (rows - r == 2) tile8(2, a + r, ap, aq, b + j, bp, bq, c + r * cs + j, cs, np, nq);
    if (rows - r == 1) tile8(1, a + r, ap, aq, b + j, bp, bq, c + r * cs + j, cs, np, nq);
  }
  for (int r = 0; r < rows; r++)
    for (int j = cols8; j < cols; j++) tile1x1(a + r, ap, aq, b + j, bp, bq, c + r * cs + j, np, nq);
}

static void zero(f32 *c, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(c + i, wasm_f32x4_splat(0));
  for (; i < n; i++) c[i] = 0;
}

// The matmul packs blocks of a (BLOCK_ROWS × BLOCK_K) and b (BLOCK_ROWS × BLOCK_COLS) into panels read
// strictly in order: rows of a and b a power of two apart (k or n = 512, 1024) would otherwise all fall
// into the same few L1 cache sets. A packed b block (32 kB) stays in L1 while every tile of c reading
// it is updated; the touched part of c (BLOCK_K × BLOCK_COLS) stays in L2.
#define BLOCK_ROWS 64
#define BLOCK_COLS 128
#define BLOCK_K 256
// The conv takes image rows in chunks of about CHUNK_FLOATS floats of dy (32 kB, in L1).
#define CHUNK_FLOATS 8192

static f32 pack_a[BLOCK_ROWS * BLOCK_K];    // [BLOCK_K / 4][rows][4]: 4 columns of a per row, rows in order
static f32 pack_b[BLOCK_ROWS * BLOCK_COLS]; // [BLOCK_COLS / 8][rows][8]

/**
 * c [k, n] = aᵀ · b for a [m, k], b [m, n]: the weight gradient xᵀ·dy of a dense layer, without
 * materialising aᵀ.
 */
__attribute__((export_name("matmul_at_b"))) void matmul_at_b(const f32 *a, const f32 *b, f32 *c, int m, int k,
                                                              int n) {
  zero(c, k * n);
  for (int j0 = 0; j0 < n; j0 += BLOCK_COLS) {
    int cols = n - j0 < BLOCK_COLS ? n - j0 : BLOCK_COLS;
    int cols8 = cols & ~7;
    for (int p0 = 0; p0 < m; p0 += BLOCK_ROWS) {
      int rows = m - p0 < BLOCK_ROWS ? m - p0 : BLOCK_ROWS;
      for (int j = 0; j < cols8; j += 8)
        for (int p = 0; p < rows; p++)
          wasm_v128_store(pack_b + j * rows + p * 8, wasm_v128_load(b + (p0 + p) * n + j0 + j)),
              wasm_v128_store(pack_b + j * rows + p * 8 + 4, wasm_v128_load(b + (p0 + p) * n + j0 + j + 4));
      for (int r0 = 0; r0 < k; r0 += BLOCK_K) {
        int kr = k - r0 < BLOCK_K ? k - r0 : BLOCK_K;
        int kr4 = kr & ~3;
        for (int r = 0; r < kr4; r += 4)
          for (int p = 0; p < rows; p++)
            wasm_v128_store(pack_a + r * rows + p * 4, wasm_v128_load(a + (p0 + p) * k + r0 + r));
        for (int j = 0; j < cols8; j += 8) {
          for (int r = 0; r < kr4; r += 4)
            tile8(4, pack_a + r * rows, 4, 0, pack_b + j * rows, 8, 0, c + (r0 + r) * n + j0 + j, n, rows, 1);
          // the last kr % 4 rows of this block, unpacked
          const f32 *ap = a + p0 * k + r0 + kr4;
          f32 *cp = c + (r0 + kr4) * n + j0 + j;
          if (kr - kr4 == 3) tile8(3, ap, k, 0, pack_b + j * rows, 8, 0, cp, n, rows, 1);
          if (kr - kr4 == 2) tile8(2, ap, k, 0, pack_b + j * rows, 8, 0, cp, n, rows, 1);
          if (kr - kr4 == 1) tile8(1, ap, k, 0, pack_b + j * rows, 8, 0, cp, n, rows, 1);
        }
        // the last cols % 8 columns, unpacked
        for (int r = r0; r < r0 + kr; r++)
          for (int j = j0 + cols8; j < j0 + cols; j++)
            tile1x1(a + p0 * k + r, k, 0, b + p0 * n + j, n, 0, c + r * n + j, rows, 1);
      }
    }
  }
}

// c[i][j] = Σ_t a[i·n + t] · b[j·n + t] for i < I (1..2), j < J (1..4): dot products of I rows of a
// with J rows of b, four lanes at a time, I·J accumulators, the n % 4 tail and the lanes summed last.
static inline __attribute__((always_inline)) void dots(int I, int J, const f32 *a, const f32 *b, f32 *c, int n,
                                                       int cs) {
  v128_t acc[2][4];
  for (int i = 0; i < I; i++)
    for (int j = 0; j < J; j++) acc[i][j] = wasm_f32x4_splat(0);
  int t = 0;
  for (; t + 4 <= n; t += 4) {
    v128_t av[2], bv[4];
    for (int i = 0; i < I; i++) av[i] = wasm_v128_load(a + i * n + t);
    for (int j = 0; j < J; j++) bv[j] = wasm_v128_load(b + j * n + t);
    for (int i = 0; i < I; i++)
      for (int j = 0; j < J; j++) acc[i][j] = wasm_f32x4_add(acc[i][j], wasm_f32x4_mul(av[i], bv[j]));
  }
  for (int i = 0; i < I; i++)
    for (int j = 0; j < J; j++) {
      v128_t v = acc[i][j];
      f32 s = (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
              (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
      for (int u = t; u < n; u++) s += a[i * n + u] * b[j * n + u];
      c[i * cs + j] = s;
    }
}

static void dots_any(int I, int J, const f32 *a, const f32 *b, f32 *c, int n, int cs) {
  if (I == 2) switch (J) {
    case 4: dots(2, 4, a, b, c, n, cs); break;
    case 3: dots(2, 3, a, b, c, n, cs); break;
    case 2: dots(2, 2, a, b, c, n, cs); break;
    default: dots(2, 1, a, b, c, n, cs);
    }
  else switch (J) {
    case 4: dots(1, 4, a, b, c, n, cs); break;
    case 3: dots(1, 3, a, b, c, n, cs); break;
    case 2: dots(1, 2, a, b, c, n, cs); break;
    default: dots(1, 1, a, b, c, n, cs);
    }
}

/**
 * c [m, k] = a · bᵀ for a [m, n], b [k, n]: the input gradient dy·Wᵀ of a dense layer, without a
 * transposed copy of the weight. Four rows of b (in L1) meet every row of a in turn.
 */
__attribute__((export_name("matmul_a_bt"))) void matmul_a_bt(const f32 *a, const f32 *b, f32 *c, int m, int n,
                                                              int k) {
  for (int j = 0; j < k; j += 4)
    for (int i = 0; i < m; i += 2)
      dots_any(m - i < 2 ? m - i : 2, k - j < 4 ? k - j : 4, a + i * n, b + j * n, c + i * k + j, n, k);
}

/**
 * dw [kh, kw, ci, co] of a stride-1 'same' conv (odd square kernel kh = kw = ks, padding (ks−1)/2)
 * from its input x [nb, h, w, ci] and output gradient dy [nb, h, w, co]:
 * dw[i, j, c, o] = Σ_{n, y, x} x[n, y+i−p, x+j−p, c] · dy[n, y, x, o] (zero outside the image).
 * For each chunk of output rows of an image and each tap (i, j), the valid pixels are one
 * rank-(rows·span) update of the [ci, co] slice of dw at (i, j); the chunk of x and dy stays in cache.
 */
__attribute__((export_name("conv_filter_grad"))) void conv_filter_grad(const f32 *x, const f32 *dy, f32 *dw,
                                                                        int nb, int h, int w, int ci, int co,
                                                                        int ks) {
  int p = (ks - 1) / 2;
  int chunk = CHUNK_FLOATS / (w * co);
  if (chunk < 1) chunk = 1;
  zero(dw, ks * ks * ci * co);
  for (int n = 0; n < nb; n++)
    for (int y0 = 0; y0 < h; y0 += chunk) {
      int y1 = y0 + chunk < h ? y0 + chunk : h;
      for (int i = 0; i < ks; i++) {
        // output rows ya..yb−1 read input rows ya+i−p..yb−1+i−p, all inside [0, h)
        int ya = y0 > p - i ? y0 : p - i;
        int yb = y1 < h + p - i ? y1 : h + p - i;
        if (yb <= ya) continue;
        const f32 *xrows = x + (n * h + ya + i - p) * w * ci;
        const f32 *dyrows = dy + (n * h + ya) * w * co;
        for (int j = 0; j < ks; j++) {
          // output columns x0..x1−1 read input columns x0+j−p..x1−1+j−p, all inside [0, w)
          int x0 = p - j > 0 ? p - j : 0;
          int x1 = w + p - j < w ? w + p - j : w;
          if (x1 <= x0) continue;
          update(xrows + (x0 + j - p) * ci, ci, w * ci, dyrows + x0 * co, co, w * co, dw + (i * ks + j) * ci * co, co,
                 ci, co, x1 - x0, yb - ya);
        }
      }
    }
}
