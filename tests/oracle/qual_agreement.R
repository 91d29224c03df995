# Oracle for peerimpact.qual.agreement: percent agreement, Cohen's kappa and
# Krippendorff's alpha (nominal) between coders of interview transcripts.
#
# Usage: Rscript tests/oracle/qual_agreement.R OUT.json CODINGS.csv LENGTHS.csv
#   CODINGS.csv: interview_id, start, end, code, coder, segment_id
#                (spans [start, end) in code points, 0-based, end exclusive)
#   LENGTHS.csv: interview_id, n_characters
#
# Written independently of the Python code: every character of a transcript
# is expanded into an explicit unit vector (coded / not coded by each coder),
# kappa is (po - pe) / (1 - pe) from the 2x2 table, checked against
# psych::cohen.kappa where it is defined, and alpha is computed from the
# coincidence matrix of a coders x units reliability matrix.
#
# Definitions (the same as the Python docstrings): a pair of coders is
# compared on the transcripts both coded, for the codes either used there;
# code x transcript rows where either coder used the code; pooled rows sum the
# tables. Segment level: units are the segment ids either coder coded in the
# transcript. Alpha: all coders; units in transcripts coded by 2+ coders; a
# coder who did not code a transcript is missing there.

suppressMessages({
  library(psych)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_path <- args[1]
codings <- read.csv(args[2], colClasses = "character")
codings$start <- as.integer(codings$start)
codings$end <- as.integer(codings$end)
lengths <- read.csv(args[3], colClasses = c("character", "integer"))
len_of <- setNames(lengths$n_characters, lengths$interview_id)

coverage <- function(iid, code, coder) {
  v <- logical(len_of[[iid]])
  rows <- codings[codings$interview_id == iid & codings$code == code & codings$coder == coder, ]
  for (i in seq_len(nrow(rows))) v[(rows$start[i] + 1):rows$end[i]] <- TRUE
  v
}
segments_of <- function(iid, coders) unique(codings$segment_id[codings$interview_id == iid & codings$coder %in% coders])
applied <- function(iid, code, coder, segs) {
  segs %in% codings$segment_id[codings$interview_id == iid & codings$code == code & codings$coder == coder]
}

kappa_po_pe <- function(x, y) {
  n <- length(x)
  po <- mean(x == y)
  pe <- mean(x) * mean(y) + mean(!x) * mean(!y)
  if (pe == 1) return(NA_real_)
  (po - pe) / (1 - pe)
}

table_row <- function(a, b, level, scope, code, iid, x, y) {
  k <- kappa_po_pe(x, y)
  if (!is.na(k) && length(unique(x)) == 2 && length(unique(y)) == 2) {
    kp <- suppressWarnings(psych::cohen.kappa(cbind(as.integer(x), as.integer(y))))$kappa
    if (abs(kp - k) > 1e-9 * max(1, abs(k))) stop(sprintf("psych::cohen.kappa %g differs from po/pe %g", kp, k))
  }
  list(coder_a = a, coder_b = b, level = level, scope = scope, code = code, interview_id = iid,
       n_units = length(x), n_both = sum(x & y), n_a_only = sum(x & !y), n_b_only = sum(!x & y),
       n_neither = sum(!x & !y), percent_agreement = 100 * mean(x == y), kappa = k)
}

coders <- sort(unique(codings$coder))
pairs <- list()
for (pi in seq_len(length(coders) - 1)) for (pj in (pi + 1):length(coders)) {
  a <- coders[pi]; b <- coders[pj]
  shared <- sort(intersect(unique(codings$interview_id[codings$coder == a]), unique(codings$interview_id[codings$coder == b])))
  if (!length(shared)) next
  in_shared <- codings[codings$interview_id %in% shared & codings$coder %in% c(a, b), ]
  codes <- sort(unique(in_shared$code))
  for (level in c("character", "segment")) {
    all_x <- logical(0); all_y <- logical(0)
    for (code in codes) {
      code_x <- logical(0); code_y <- logical(0)
      for (iid in shared) {
        if (level == "character") {
          x <- coverage(iid, code, a); y <- coverage(iid, code, b)
        } else {
          segs <- segments_of(iid, c(a, b))
          x <- applied(iid, code, a, segs); y <- applied(iid, code, b, segs)
        }
        if (any(x | y)) pairs[[length(pairs) + 1]] <- table_row(a, b, level, "code_interview", code, iid, x, y)
        code_x <- c(code_x, x); code_y <- c(code_y, y)
      }
      pairs[[length(pairs) + 1]] <- table_row(a, b, level, "code", code, NA, code_x, code_y)
      all_x <- c(all_x, code_x); all_y <- c(all_y, code_y)
    }
    pairs[[length(pairs) + 1]] <- table_row(a, b, level, "all", NA, NA, all_x, all_y)
  }
}

# Krippendorff's alpha, nominal, from a coders x units matrix (NA = missing).
kripp_nominal <- function(m) {
  values <- sort(unique(as.vector(m[!is.na(m)])))
  o <- matrix(0, length(values), length(values))
  for (u in seq_len(ncol(m))) {
    v <- m[!is.na(m[, u]), u]
    mu <- length(v)
    if (mu < 2) next
    counts <- table(factor(v, levels = values))
    for (c in seq_along(values)) for (k in seq_along(values)) {
      o[c, k] <- o[c, k] + counts[c] * (counts[k] - (c == k)) / (mu - 1)
    }
  }
  nc <- rowSums(o); n <- sum(nc)
  if (n < 2 || length(values) < 2) return(NA_real_)
  do <- sum(o) - sum(diag(o))
  de <- (sum(nc)^2 - sum(nc^2)) / (n - 1)
  1 - do / de
}

# For speed, identical unit columns are collapsed and weighted (the coincidence
# matrix is a sum over units, so weighting by multiplicity is exact). A column's
# key encodes each coder's value (0 = missing, 1 + index of the value) in base
# (number of values + 1).
kripp_weighted <- function(m) {
  if (!ncol(m)) return(list(alpha = NA_real_, units = 0L))
  values <- sort(unique(as.vector(m[!is.na(m)])))
  idx <- matrix(match(m, values), nrow = nrow(m))
  idx[is.na(idx)] <- 0L
  base <- length(values) + 1
  key <- colSums(idx * base^(seq_len(nrow(m)) - 1))
  uniq <- !duplicated(key)
  weights <- as.vector(table(factor(key, levels = key[uniq])))
  cols <- m[, uniq, drop = FALSE]
  o <- matrix(0, length(values), length(values))
  for (u in seq_len(ncol(cols))) {
    v <- cols[!is.na(cols[, u]), u]
    mu <- length(v)
    if (mu < 2) next
    counts <- table(factor(v, levels = values))
    for (c in seq_along(values)) for (k in seq_along(values)) {
      o[c, k] <- o[c, k] + weights[u] * counts[c] * (counts[k] - (c == k)) / (mu - 1)
    }
  }
  nc <- rowSums(o); n <- sum(nc)
  units <- sum(weights[colSums(!is.na(cols)) >= 2])
  if (n < 2 || length(values) < 2) return(list(alpha = NA_real_, units = units))
  do <- sum(o) - sum(diag(o))
  de <- (sum(nc)^2 - sum(nc^2)) / (n - 1)
  list(alpha = 1 - do / de, units = units)
}

alpha_rows <- list()
coded_by <- split(codings$coder, codings$interview_id)
multi <- sort(names(coded_by)[vapply(coded_by, function(cs) length(unique(cs)) >= 2, logical(1))])
codes <- sort(unique(codings$code[codings$interview_id %in% multi]))
for (level in c("character", "segment")) {
  all_m <- matrix(numeric(0), nrow = length(coders), ncol = 0)
  for (code in codes) {
    m <- matrix(numeric(0), nrow = length(coders), ncol = 0)
    for (iid in multi) {
      present <- unique(coded_by[[iid]])
      if (level == "character") {
        block <- t(vapply(coders, function(cd) if (cd %in% present) as.numeric(coverage(iid, code, cd)) else rep(NA_real_, len_of[[iid]]),
                          numeric(len_of[[iid]])))
      } else {
        segs <- segments_of(iid, coders)
        block <- t(vapply(coders, function(cd) if (cd %in% present) as.numeric(applied(iid, code, cd, segs)) else rep(NA_real_, length(segs)),
                          numeric(length(segs))))
      }
      m <- cbind(m, block)
    }
    r <- kripp_weighted(m)
    alpha_rows[[length(alpha_rows) + 1]] <- list(level = level, scope = "code", code = code, n_units = r$units, alpha = r$alpha)
    all_m <- cbind(all_m, m)
  }
  r <- kripp_weighted(all_m)
  alpha_rows[[length(alpha_rows) + 1]] <- list(level = level, scope = "all", code = NA, n_units = r$units, alpha = r$alpha)
}

# Self-check of the weighted shortcut against the plain unit-by-unit version on a small matrix.
small <- rbind(c(1, 0, 1, 1, NA, 0), c(1, 0, 0, 1, 1, NA), c(NA, 0, 1, 1, 1, 0))
stopifnot(abs(kripp_nominal(small) - kripp_weighted(small)$alpha) < 1e-12)

write_json(list(pairs = pairs, alpha = alpha_rows), out_path, digits = NA, auto_unbox = TRUE, na = "null", null = "null")
