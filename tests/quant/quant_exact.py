"""Satterthwaite's df of the random-intercept model in 50-digit arithmetic (mpmath), as a reference.

The same formula as :func:`peerimpact.quant.reml.satterthwaite_df` (lmerTest's:
``df = 2 v^2 / (g' (2 H^-1) g)`` in the parameters ``(theta, sigma)``), with
every sum, inverse and derivative in mpmath at 50 significant digits, so that
it checks the library's finite differences, not its algebra. The algebra
(the REML deviance and ``vcov``) is checked against lme4 and lmerTest.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

from peerimpact.quant.reml import _patterns


def exact_df(y: np.ndarray, observed: np.ndarray, theta: float, sigma: float, digits: int = 50) -> list[float]:
    """df of each fixed effect but the intercept, evaluated at ``(theta, sigma)``."""
    pt = _patterns(np.where(observed, y - float(y[observed].mean()), 0.0), observed)
    with mp.workdps(digits):
        c = [[mp.mpf(float(v)) for v in row] for row in pt.c]
        count = [mp.mpf(float(v)) for v in pt.count]
        n = [mp.mpf(float(v)) for v in pt.n]
        s1 = [mp.mpf(float(v)) for v in pt.s_sum]
        s2 = [mp.mpf(float(v)) for v in pt.s2_sum]
        xtx, xty, yty = mp.matrix(pt.xtx.tolist()), mp.matrix(pt.xty.tolist()), mp.mpf(pt.yty)
        nu, p = pt.n_obs - pt.p, pt.p

        def parts(g):
            a, b, q, logdet = xtx.copy(), xty.copy(), yty, mp.mpf(0)
            for k in range(len(count)):
                w = g / (1 + n[k] * g)
                for i in range(p):
                    b[i] -= c[k][i] * w * s1[k]
                    for j in range(p):
                        a[i, j] -= count[k] * w * c[k][i] * c[k][j]
                q -= w * s2[k]
                logdet += count[k] * mp.log(1 + n[k] * g)
            beta = mp.lu_solve(a, b)
            return logdet + mp.log(mp.det(a)), q - (b.T * beta)[0], a**-1

        def deviance(th, sg):
            logdet, rss, _ = parts(th * th)
            return nu * mp.log(sg * sg) + logdet + rss / (sg * sg)

        def variance(th, sg, k):
            return sg * sg * parts(th * th)[2][k, k]

        th, sg = mp.mpf(theta), mp.mpf(sigma)
        hess = mp.matrix(2, 2)
        hess[0, 0] = mp.diff(lambda a: deviance(a, sg), th, 2)
        hess[1, 1] = mp.diff(lambda b: deviance(th, b), sg, 2)
        hess[0, 1] = hess[1, 0] = mp.diff(deviance, (th, sg), (1, 1))
        inverse = hess**-1
        out = []
        for k in range(1, p):
            g = mp.matrix([mp.diff(lambda a, k=k: variance(a, sg, k), th), mp.diff(lambda b, k=k: variance(th, b, k), sg)])
            out.append(float(variance(th, sg, k) ** 2 / (g.T * inverse * g)[0]))
        return out
