/* conv_backward.h -- the fast conv-pool backward, written once for every
 * vector width: conv.c includes it twice, for AVX2 (8 lanes) and AVX-512 (16
 * lanes), after defining the few vector operations below.  Because the body
 * is one text, both widths follow the backward's canonical order
 * (docs/arithmetic.md, and the naive lnn_conv_backward_naive that spells it
 * out): each element's terms are the same fused multiply-adds and adds in the
 * same order, only more of them run side by side on the wider vectors.
 *
 * It follows the max-pool: only a window's argmax carries a delta, and ReLU
 * zeroes many of those, so instead of two dense products it keeps sums in
 * registers:
 * - gW: the windows of one item as rows of an im2row padded to Kp = K
 *   rounded up to the vector width (zeros from K on); per filter, up to 8
 *   vectors of its gradient row stay in registers while every non-zero delta
 *   of that filter adds g * (its window's row);
 * - din: per window position p in row order, the filters whose argmax is p
 *   sum g * (filter) in registers (f in order) into one row; each input
 *   pixel is then the sum of those rows' entries that cover it, p in row
 *   order, VN columns at a time.
 *
 * Expects: BW_SUFFIX(name), DIN_SUFFIX(name) and DIN_VN (the din gather's width), BW_TARGET, the vector type V and mask type VM,
 * VN (lanes), and vzero(), vload(p), vloadm(p, m), vstore(p, v),
 * vstorem(p, m, v), vstoren(p, n, v) (the first n lanes), vbcast(p), vfma(a, b, c) = a b + c, vadd(a, b),
 * vmask(n) (the first n lanes, 0 <= n <= VN), vwindow(lo, kw) (lanes j
 * with 0 <= lo + j < kw). */

/* rows (P x Kp): row p = window p of one item in (c, ky, kx) order, zeros
 * from K to Kp.  A window row of kw <= 8 pixels is one 8-wide load and store
 * (masked only at the item's end: masked stores are slow on some cores,
 * masked loads fine) whose spill is overwritten next (the last one's by the
 * zeros, those of a row's end by the next row: 16 floats of room after the
 * rows). */
BW_TARGET INLINE void BW_SUFFIX(im2row)(float *rows, const float *img, const lnn_conv *s, size_t Kp) {
  /* the shape in locals: the vector stores may alias anything, *s included */
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s), C = s->c, H = s->h, Wd = s->w;
  const int kh = s->kh, kw = s->kw;
  const size_t K = (size_t)C * kh * kw;
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(kw < 8 ? kw : 8),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const float *end = img + (size_t)C * H * Wd;
  size_t z;
  int y, x, c, ky, kx;
  for (y = 0; y < oh; y++)
    for (x = 0; x < ow; x++) {
      float *r = rows + ((size_t)y * ow + (size_t)x) * Kp, *dst = r;
      for (c = 0; c < C; c++) {
        const float *src = img + ((size_t)c * H + (size_t)y) * Wd + x;
        for (ky = 0; ky < kh; ky++, src += Wd, dst += kw) {
          if (kw <= 8)
            _mm256_storeu_ps(dst, src + 8 <= end ? _mm256_loadu_ps(src) : _mm256_maskload_ps(src, mask));
          else
            for (kx = 0; kx < kw; kx++) dst[kx] = src[kx];
        }
      }
      for (z = K; z < Kp; z += 8) _mm256_storeu_ps(r + z, _mm256_setzero_ps());
    }
}

/* gW row += sum over t < n of g[t] * rows[p[t]], vectors v0 .. v0 + NV - 1
 * of it; MASKED: the last of them holds the row's last K % VN floats */
BW_TARGET INLINE void BW_SUFFIX(gw_block)(float *gw, const float *rows, size_t Kp, const float *g,
                                          const int32_t *p, size_t n, size_t v0, VM mask,
                                          const int NV, const int MASKED) {
  V acc[8];
  size_t t;
  int j;
  for (j = 0; j < NV; j++)
    acc[j] = MASKED && j == NV - 1 ? vloadm(gw + VN * (v0 + (size_t)j), mask)
                                   : vload(gw + VN * (v0 + (size_t)j));
  for (t = 0; t < n; t++) {
    const V gv = vbcast(g + t);
    const float *r = rows + (size_t)p[t] * Kp + VN * v0;
    for (j = 0; j < NV; j++) acc[j] = vfma(gv, vload(r + VN * j), acc[j]);
  }
  for (j = 0; j < NV; j++) {
    if (MASKED && j == NV - 1) vstorem(gw + VN * (v0 + (size_t)j), mask, acc[j]);
    else vstore(gw + VN * (v0 + (size_t)j), acc[j]);
  }
}

/* row (Kp) = sum over t < n of g[t] * W[f[t]] (rows of K floats), vectors
 * v0 .. v0 + NV - 1; MASKED as gw_block (the lanes from K on are 0) */
BW_TARGET INLINE void BW_SUFFIX(dcol_block)(float *row, const float *W, size_t K, const float *g,
                                            const int32_t *f, size_t n, size_t v0, VM mask,
                                            const int NV, const int MASKED) {
  V acc[8];
  size_t t;
  int j;
  for (j = 0; j < NV; j++) acc[j] = vzero();
  for (t = 0; t < n; t++) {
    const V gv = vbcast(g + t);
    const float *w = W + (size_t)f[t] * K + VN * v0;
    for (j = 0; j < NV; j++)
      acc[j] = vfma(gv, MASKED && j == NV - 1 ? vloadm(w + VN * j, mask) : vload(w + VN * j), acc[j]);
  }
  for (j = 0; j < NV; j++) vstore(row + VN * (v0 + (size_t)j), acc[j]);
}

/* a row of K floats as Kp / VN vectors: 8, 4, 2, 1 at a time, the block
 * that ends the row MASKED when K is not a multiple of VN */
#define BY_BLOCKS(call)                                            \
  do {                                                             \
    const size_t nv_ = Kp / VN;                                    \
    const int m_ = K % VN != 0;                                    \
    size_t v0 = 0;                                                 \
    for (; v0 + 8 < nv_; v0 += 8) call(8, 0);                      \
    if (v0 + 8 == nv_) call(8, m_), v0 += 8;                       \
    if (v0 + 4 < nv_) call(4, 0), v0 += 4;                         \
    if (v0 + 4 == nv_) call(4, m_), v0 += 4;                       \
    if (v0 + 2 < nv_) call(2, 0), v0 += 2;                         \
    if (v0 + 2 == nv_) call(2, m_), v0 += 2;                       \
    if (v0 + 1 == nv_) call(1, m_);                                \
  } while (0)

/* din rows (c0 .. c0 + NC - 1, yi) of one item, columns x0 .. x0 + VN - 1
 * (those below w stored): the sums, from 0, of the window rows dcol[p] that
 * cover them, p in row order, read VN wide at the column's offset in the
 * window with the lanes the window does not cover as zeros; NC channels at
 * once (independent sums: the adds' latency overlaps) */
BW_TARGET INLINE void BW_SUFFIX(din_vectors)(float *d, const float *dcol, const uint8_t *active,
                                             size_t Kp, int c0, int yi, int x0, const lnn_conv *s,
                                             const int NC) {
  const int oh = lnn_conv_oh(s), ow = lnn_conv_ow(s);
  const int y1 = yi < oh - 1 ? yi : oh - 1, xa = x0 - s->kw + 1 > 0 ? x0 - s->kw + 1 : 0;
  const int xb = x0 + VN - 1 < ow - 1 ? x0 + VN - 1 : ow - 1, n = s->w - x0 < VN ? s->w - x0 : VN;
  const size_t cstep = (size_t)s->kh * s->kw;
  V acc[4];
  int y, x, j;
  for (j = 0; j < NC; j++) acc[j] = vzero();
  for (y = yi - s->kh + 1 > 0 ? yi - s->kh + 1 : 0; y <= y1; y++) {
    const size_t seg = ((size_t)c0 * s->kh + (size_t)(yi - y)) * s->kw;
    for (x = xa; x <= xb; x++) {
      const size_t p = (size_t)y * ow + x;
      VM in;
      const float *r;
      if (!active[p]) continue;
      in = vwindow(x0 - x, s->kw);
      r = dcol + p * Kp + seg + x0 - x;
      for (j = 0; j < NC; j++) acc[j] = vadd(acc[j], vloadm(r + (size_t)j * cstep, in));
    }
  }
  for (j = 0; j < NC; j++) {
    float *dst = d + ((size_t)(c0 + j) * s->h + (size_t)yi) * s->w + x0;
    if (n == VN) vstore(dst, acc[j]);
    else vstoren(dst, n, acc[j]);
  }
}

/* scratch: 16 floats of room, rows (P x Kp) of the item's windows (then,
 * once gW has them, the rows of its input delta), 16 of room, flags (P bytes
 * in P floats), two lists of max(P, f), two of P, two of f qh qw
 * (lnn_conv_scratch_floats) */
BW_TARGET void BW_SUFFIX(lnn_conv_backward)(float *gW, float *din, float *scratch, const float *dz,
                                            const int32_t *arg, const float *in, const float *W,
                                            size_t m, const lnn_conv *s, int f0, int f1) {
  const int ow = lnn_conv_ow(s), qh = lnn_conv_qh(s), qw = lnn_conv_qw(s);
  const size_t P = (size_t)lnn_conv_oh(s) * ow, chw = (size_t)s->c * s->h * s->w;
  const size_t nq = (size_t)qh * qw, nout = (size_t)s->f * nq, L = P > (size_t)s->f ? P : (size_t)s->f;
  const size_t K = (size_t)s->c * s->kh * s->kw, Kp = (K + VN - 1) / VN * VN;
  const VM mask = vmask((int)(K % VN));
  float *rows = scratch + 16, *gl = rows + P * Kp + 16 + P;
  uint8_t *active = (uint8_t *)(void *)(rows + P * Kp + 16);
  int32_t *pl = (int32_t *)(void *)(gl + L);
  /* the non-zero deltas bucketed by the window position they route to */
  int32_t *cnt = pl + L, *at = cnt + P, *bf = at + P;
  float *bg = (float *)(void *)(bf + nout);
  size_t i, q, n, p;
  int f, c, yi, x0;
  /* gW first over every item, then din (whose rows reuse the scratch): two
   * loops, so the filter range is not live in the din loop's registers (one
   * loop measured 11% slower) */
  for (i = 0; i < m && f0 < f1; i++) {
    const float *g = dz + i * nout;
    const int32_t *a = arg + i * nout;
    BW_SUFFIX(im2row)(rows, in + i * chw, s, Kp);
    for (f = f0; f < f1; f++) {
      float *gw = gW + (size_t)f * K;
      for (q = 0, n = 0; q < nq; q++) { /* branch-free: ReLU makes the zeros unpredictable */
        const float gv = g[(size_t)f * nq + q];
        gl[n] = gv;
        pl[n] = a[(size_t)f * nq + q];
        n += gv != 0.0f;
      }
      if (n == 0) continue;
#define GW(NV, MASKED) BW_SUFFIX(gw_block)(gw, rows, Kp, gl, pl, n, v0, mask, NV, MASKED)
      BY_BLOCKS(GW);
#undef GW
    }
  }
  for (i = 0; i < m && din != NULL; i++) {
    const float *g = dz + i * nout;
    const int32_t *a = arg + i * nout;
    /* each pooled output routes its delta to one window position (its
     * argmax); pool windows do not overlap, so a position's bucket holds
     * each filter at most once, in f order (f is the outer loop) */
    for (p = 0; p < P; p++) cnt[p] = 0;
    for (q = 0; q < nout; q++) cnt[a[q]] += g[q] != 0.0f; /* every arg is a position */
    for (p = 0, n = 0; p < P; p++) at[p] = (int32_t)n, n += (size_t)cnt[p];
    for (f = 0; f < s->f; f++)
      for (q = 0; q < nq; q++) {
        const float gv = g[(size_t)f * nq + q];
        int32_t *slot;
        if (gv == 0.0f) continue;
        slot = &at[a[(size_t)f * nq + q]];
        bg[*slot] = gv;
        bf[(*slot)++] = f;
      }
    for (p = 0; p < P; p++) { /* rows of the input delta, over the windows' rows */
      float *row = rows + p * Kp;
      const size_t first = (size_t)at[p] - (size_t)cnt[p];
      active[p] = cnt[p] != 0;
      if (!active[p]) continue;
      n = (size_t)cnt[p];
#define DCOL(NV, MASKED) BW_SUFFIX(dcol_block)(row, W, K, bg + first, bf + first, n, v0, mask, NV, MASKED)
      BY_BLOCKS(DCOL);
#undef DCOL
    }
    for (yi = 0; yi < s->h; yi++)
      for (x0 = 0; x0 < s->w; x0 += DIN_VN) {
        for (c = 0; c + 4 <= s->c; c += 4)
          DIN_SUFFIX(din_vectors)(din + i * chw, rows, active, Kp, c, yi, x0, s, 4);
        for (; c < s->c; c++) DIN_SUFFIX(din_vectors)(din + i * chw, rows, active, Kp, c, yi, x0, s, 1);
      }
  }
}
#undef BY_BLOCKS
