# Oracle for peerimpact.quant.change and .reliable_change (paired change, Table 4).
#
# Usage: Rscript quant_change.R INPUT_DIR OUT.json
# Reads INPUT_DIR/quant_scores.csv (dataset, participant_id, timepoint, outcome, score),
# quant_comparisons.csv (dataset, from, to) and quant_alphas.csv (dataset, outcome, alpha).
# For each dataset, comparison [from, to] and outcome, on complete pairs:
#   t.test(to, from, paired = TRUE)      -> t, df, p, 95% CI of the mean of (to - from)
#   wilcox.test(to, from, paired = TRUE) -> V, p and R's choice of exact / normal approximation
#   p.adjust(p, "holm") within dataset x comparison x instrument
#   mean, sd of from / to / change; effect sizes mean(to - from) / sd(from)
#   (pairs, and every `from` respondent); Jacobson-Truax counts with the given alpha;
#   Cohen's d_z = mean(d) / sd(d); partial eta squared from the sums of squares of
#   aov(score ~ timepoint + Error(participant / timepoint)) on the complete pairs in long form
#   (SS_timepoint / (SS_timepoint + SS_residual)), where the paired t is finite (with every change
#   zero both sums of squares are rounding noise).
# Base R only (+ jsonlite for output).
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
scores <- read.csv(file.path(dir, "quant_scores.csv"), colClasses = c("character", "character", "character", "character", "numeric"))
comps <- read.csv(file.path(dir, "quant_comparisons.csv"), colClasses = "character")
alphas <- read.csv(file.path(dir, "quant_alphas.csv"), colClasses = c("character", "character", "numeric"))

or_na <- function(expr) tryCatch(expr, error = function(e) NULL)
eta2_partial <- function(m) {
  long <- data.frame(participant = factor(rep(m$participant_id, 2)),
                     timepoint = factor(rep(c("from", "to"), each = nrow(m))),
                     score = c(m$score_from, m$score_to))
  tab <- summary(aov(score ~ timepoint + Error(participant / timepoint), data = long))[["Error: participant:timepoint"]][[1]]
  ss <- setNames(tab[["Sum Sq"]], trimws(rownames(tab)))
  unname(ss["timepoint"] / (ss["timepoint"] + ss["Residuals"]))
}
rows <- list()
for (ds in unique(comps$dataset)) {
  s <- scores[scores$dataset == ds, ]
  cs <- comps[comps$dataset == ds, ]
  for (k in seq_len(nrow(cs))) {
    a <- cs$from[k]; b <- cs$to[k]
    for (o in unique(s$outcome)) {
      so <- s[s$outcome == o, ]
      x_all <- so[so$timepoint == a, c("participant_id", "score")]
      y_all <- so[so$timepoint == b, c("participant_id", "score")]
      m <- merge(x_all, y_all, by = "participant_id", suffixes = c("_from", "_to"))
      m <- m[complete.cases(m), ]
      x <- m$score_from; y <- m$score_to
      d <- y - x
      tt <- or_na(t.test(y, x, paired = TRUE))
      wx <- or_na(suppressWarnings(wilcox.test(y, x, paired = TRUE)))
      x_resp <- x_all$score[!is.na(x_all$score)]
      sd_all <- if (length(x_resp) > 1) sd(x_resp) else NA
      al <- alphas$alpha[alphas$dataset == ds & alphas$outcome == o]
      rc <- NULL
      if (length(al) == 1 && !is.na(sd_all)) {
        s_diff <- sqrt(2) * sd_all * sqrt(1 - al)
        rci <- d / s_diff
        hib <- !(o %in% c("mbi_hss.emotional_exhaustion", "mbi_hss.depersonalisation"))
        up <- if (hib) rci > 1.96 else rci < -1.96
        down <- if (hib) rci < -1.96 else rci > 1.96
        rc <- list(alpha = al, sd_from = sd_all, s_diff = s_diff, improved = sum(up), deteriorated = sum(down),
                   no_change = length(d) - sum(up) - sum(down))
      }
      rows[[length(rows) + 1]] <- list(
        dataset = ds, outcome = o, instrument = sub("\\..*$", "", o), from = a, to = b, n = length(d),
        mean_from = if (length(x)) mean(x) else NA, mean_to = if (length(y)) mean(y) else NA,
        sd_from = if (length(x) > 1) sd(x) else NA, sd_to = if (length(y) > 1) sd(y) else NA,
        mean_change = if (length(d)) mean(d) else NA, sd_change = if (length(d) > 1) sd(d) else NA,
        t = if (is.null(tt)) NA else unname(tt$statistic), df = if (is.null(tt)) NA else unname(tt$parameter),
        p = if (is.null(tt)) NA else tt$p.value,
        ci_low = if (is.null(tt)) NA else tt$conf.int[1], ci_high = if (is.null(tt)) NA else tt$conf.int[2],
        wilcoxon_v = if (is.null(wx)) NA else unname(wx$statistic),
        wilcoxon_p = if (is.null(wx)) NA else wx$p.value,
        wilcoxon_method = if (is.null(wx)) NA else wx$method,
        effect_size_paired = if (length(x) > 1) mean(d) / sd(x) else NA,
        effect_size_all = if (length(d) && !is.na(sd_all)) mean(d) / sd_all else NA,
        sd_all_from = sd_all,
        d_z = if (length(d) > 1 && sd(d) > 0) mean(d) / sd(d) else NA,
        eta2_partial = if (is.null(tt) || !is.finite(tt$statistic)) NA else eta2_partial(m),
        reliable_change = rc
      )
    }
  }
}
# Holm within dataset x comparison x instrument
key <- vapply(rows, function(r) paste(r$dataset, r$from, r$to, r$instrument, sep = "|"), "")
p <- vapply(rows, function(r) as.numeric(r$p), 0)
p_holm <- rep(NA_real_, length(p))
for (g in unique(key)) p_holm[key == g] <- p.adjust(p[key == g], method = "holm")
for (i in seq_along(rows)) rows[[i]]$p_holm <- p_holm[i]
write_json(list(r_version = R.version.string, rows = rows), out, digits = NA, auto_unbox = TRUE, na = "null",
           null = "null", pretty = TRUE)
