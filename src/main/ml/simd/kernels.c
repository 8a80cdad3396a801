// SIMD kernels (wasm32 + simd128) for training's backward products that tfjs's wasm backend runs
// slowly: the filter gradient of a stride-1 'same' conv and the weight gradient aᵀ·b of a dense layer.
// f32 in, f32 out, row-major; the caller owns the memory layout (no allocator, no libc). Built by
// scripts/build-simd.sh into kernels.wasm, loaded by kernels.ts.
#include <wasm_simd128.h>

typedef float f32;

// c[4 rows][8 cols] += Σ_p a[p][0..3] · b[p][0..7] for p < n: 4 broadcast scalars per step (rows of
// `a` are `as` floats apart) times two vectors of `b` (rows `bs` floats apart), 8 accumulators.
static inline void tile4x8(const f32 *a, int as, const f32 *b, int bs, f32 *c, int cs, int n) {
  v128_t c00 = wasm_v128_load(c), c01 = wasm_v128_load(c + 4);
  v128_t c10 = wasm_v128_load(c + cs), c11 = wasm_v128_load(c + cs + 4);
  v128_t c20 = wasm_v128_load(c + 2 * cs), c21 = wasm_v128_load(c + 2 * cs + 4);
  v128_t c30 = wasm_v128_load(c + 3 * cs), c31 = wasm_v128_load(c + 3 * cs + 4);
  for (int p = 0; p < n; p++, a += as, b += bs) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
    v128_t a1 = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
    v128_t a2 = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
    v128_t a3 = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
  }
  wasm_v128_store(c, c00), wasm_v128_store(c + 4, c01);
  wasm_v128_store(c + cs, c10), wasm_v128_store(c + cs + 4, c11);
  wasm_v128_store(c + 2 * cs, c20), wasm_v128_store(c + 2 * cs + 4, c21);
  wasm_v128_store(c + 3 * cs, c30), wasm_v128_store(c + 3 * cs + 4, c31);
}

// One row of c, 8 columns: the rows of `a` left over when their count is not a multiple of 4.
static inline void tile1x8(const f32 *a, int as, const f32 *b, int bs, f32 *c, int n) {
  v128_t c0 = wasm_v128_load(c), c1 = wasm_v128_load(c + 4);
  v128_t d0 = wasm_f32x4_splat(0), d1 = wasm_f32x4_splat(0);
  int p = 0;
  for (; p + 1 < n; p += 2, a += 2 * as, b += 2 * bs) {
    v128_t x0 = wasm_v128_load32_splat(a), x1 = wasm_v128_load32_splat(a + as);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x0, wasm_v128_load(b)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x0, wasm_v128_load(b + 4)));
    d0 = wasm_f32x4_add(d0, wasm_f32x4_mul(x1, wasm_v128_load(b + bs)));
    d1 = wasm_f32x4_add(d1, wasm_f32x4_mul(x1, wasm_v128_load(b + bs + 4)));
  }
  if (p < n) {
    v128_t x0 = wasm_v128_load32_splat(a);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(x0, wasm_v128_load(b)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(x0, wasm_v128_load(b + 4)));
  }
  wasm_v128_store(c, wasm_f32x4_add(c0, d0));
  wasm_v128_store(c + 4, wasm_f32x4_add(c1, d1));
}

// One row of c, one column: the columns left over when their count is not a multiple of 8.
static inline void tile1x1(const f32 *a, int as, const f32 *b, int bs, f32 *c, int n) {
  f32 s = *c;
  for (int p = 0; p < n; p++, a += as, b += bs) s += *a * *b;
  *c = s;
}

// c[r][j] += Σ_p a[p·as + r] · b[p·bs + j] for r < rows, j < cols, p < n: a rank-n update of the
// rows × cols block at c (rows `cs` floats apart), register-tiled 4 × 8.
static void update(const f32 *a, int as, const f32 *b, int bs, f32 *c, int cs, int rows, int cols, int n) {
  int cols8 = cols & ~7;
  int r = 0;
  for (; r + 4 <= rows; r += 4)
    for (int j = 0; j < cols8; j += 8) tile4x8(a + r, as, b + j, bs, c + r * cs + j, cs, n);
  for (; r < rows; r++)
    for (int j = 0; j < cols8; j += 8) tile1x8(a + r, as, b + j, bs, c + r * cs + j, n);
  for (r = 0; r < rows; r++)
    for (int j = cols8; j < cols; j++) tile1x1(a + r, as, b + j, bs, c + r * cs + j, n);
}

static void zero(f32 *c, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(c + i, wasm_f32x4_splat(0));
  for (; i < n; i++) c[i] = 0;
}

// Rows of `b` streamed per pass over c: a block of b stays in the L1 cache while every tile of c
// that reads it is updated.
#define BLOCK_ROWS 64
// Columns of c updated per pass: keeps the touched part of c (k × 256 floats) in the L2 cache.
#define BLOCK_COLS 256

/**
 * c [k, n] = aᵀ · b for a [m, k], b [m, n]: the weight gradient xᵀ·dy of a dense layer, without
 * materialising aᵀ.
 */
__attribute__((export_name("matmul_at_b"))) void matmul_at_b(const f32 *a, const f32 *b, f32 *c, int m, int k,
                                                              int n) {
  zero(c, k * n);
  for (int j0 = 0; j0 < n; j0 += BLOCK_COLS) {
    int cols = n - j0 < BLOCK_COLS ? n - j0 : BLOCK_COLS;
    for (int p0 = 0; p0 < m; p0 += BLOCK_ROWS) {
      int rows = m - p0 < BLOCK_ROWS ? m - p0 : BLOCK_ROWS;
      update(a + p0 * k, k, b + p0 * n + j0, n, c + j0, n, k, cols, rows);
    }
  }
}

/**
 * dw [kh, kw, ci, co] of a stride-1 'same' conv (odd square kernel kh = kw = ks, padding (ks−1)/2)
 * from its input x [nb, h, w, ci] and output gradient dy [nb, h, w, co]:
 * dw[i, j, c, o] = Σ_{n, y, x} x[n, y+i−p, x+j−p, c] · dy[n, y, x, o] (zero outside the image).
 * For each output row (n, y) and tap (i, j), the valid span of x is one rank-`span` update of the
 * [ci, co] slice of dw at (i, j): that slice and two rows of x and dy stay in cache.
 */
__attribute__((export_name("conv_filter_grad"))) void conv_filter_grad(const f32 *x, const f32 *dy, f32 *dw,
                                                                        int nb, int h, int w, int ci, int co,
                                                                        int ks) {
  int p = (ks - 1) / 2;
  zero(dw, ks * ks * ci * co);
  for (int n = 0; n < nb; n++)
    for (int y = 0; y < h; y++)
      for (int i = 0; i < ks; i++) {
        int sy = y + i - p;
        if (sy < 0 || sy >= h) continue;
        const f32 *xrow = x + (n * h + sy) * w * ci;
        const f32 *dyrow = dy + (n * h + y) * w * co;
        for (int j = 0; j < ks; j++) {
          // output columns x0..x1−1 read input columns x0+j−p..x1−1+j−p, all inside [0, w)
          int x0 = p - j > 0 ? p - j : 0;
          int x1 = w + p - j < w ? w + p - j : w;
          if (x1 <= x0) continue;
          update(xrow + (x0 + j - p) * ci, ci, dyrow + x0 * co, co, dw + (i * ks + j) * ci * co, co, ci, co,
                 x1 - x0);
        }
      }
}
