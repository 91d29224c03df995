# Oracle for peerimpact.quant.descriptives (Table 3) and .attrition (baseline scores).
#
# Usage: Rscript quant_descriptives.R INPUT_DIR OUT.json
# Reads quant_scores.csv, quant_timepoints.csv (dataset, timepoint, month, level) and
# quant_norms.csv (dataset, outcome, norm_mean, norm_sd, norm_n).
# Per dataset x outcome x timepoint: n, mean, sd, min, max; difference from the norm with
# its 95% CI: t.test(x, mu = norm_mean) when the norm's n is unknown (one-sample), else
# the Welch interval from summary statistics (R's t.test needs both raw samples, so the
# Welch-Satterthwaite formula is evaluated here with qt()).
# Attrition: for each timepoint after the first (level 0 = baseline), participants with any
# non-missing score there are "followed_up"; mean / sd / n of their baseline scores.
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
scores <- read.csv(file.path(dir, "quant_scores.csv"), colClasses = c("character", "character", "character", "character", "numeric"))
tps <- read.csv(file.path(dir, "quant_timepoints.csv"), colClasses = c("character", "character", "numeric", "integer"))
norms <- read.csv(file.path(dir, "quant_norms.csv"), colClasses = c("character", "character", "numeric", "numeric", "numeric"))

desc <- list()
att <- list()
for (ds in unique(tps$dataset)) {
  s <- scores[scores$dataset == ds, ]
  tp <- tps[tps$dataset == ds, ]
  tp <- tp[order(tp$level), ]
  for (o in unique(s$outcome)) {
    nm <- norms[norms$dataset == ds & norms$outcome == o, ]
    for (t in tp$timepoint) {
      x <- s$score[s$outcome == o & s$timepoint == t]
      x <- x[!is.na(x)]
      n <- length(x)
      r <- list(dataset = ds, outcome = o, timepoint = t, n = n,
                mean = if (n) mean(x) else NA, sd = if (n > 1) sd(x) else NA,
                min = if (n) min(x) else NA, max = if (n) max(x) else NA,
                diff_ci_low = NA, diff_ci_high = NA, diff_df = NA, method = NA)
      if (nrow(nm) == 1 && n > 1) {
        if (is.na(nm$norm_n)) {
          tt <- t.test(x, mu = nm$norm_mean)
          r$diff_ci_low <- tt$conf.int[1] - nm$norm_mean
          r$diff_ci_high <- tt$conf.int[2] - nm$norm_mean
          r$diff_df <- unname(tt$parameter)
          r$method <- "one_sample"
        } else {
          vx <- var(x) / n
          vy <- nm$norm_sd^2 / nm$norm_n
          se <- sqrt(vx + vy)
          df <- se^4 / (vx^2 / (n - 1) + vy^2 / (nm$norm_n - 1))
          dif <- mean(x) - nm$norm_mean
          r$diff_ci_low <- dif - qt(0.975, df) * se
          r$diff_ci_high <- dif + qt(0.975, df) * se
          r$diff_df <- df
          r$method <- "welch"
        }
        r$std_diff <- (mean(x) - nm$norm_mean) / nm$norm_sd
        r$std_diff_ci_low <- r$diff_ci_low / nm$norm_sd
        r$std_diff_ci_high <- r$diff_ci_high / nm$norm_sd
      }
      desc[[length(desc) + 1]] <- r
    }
  }
  base <- tp$timepoint[1]
  for (t in tp$timepoint[-1]) {
    st <- s[s$timepoint == t & !is.na(s$score), ]
    followed <- unique(st$participant_id)
    for (o in unique(s$outcome)) {
      b <- s[s$outcome == o & s$timepoint == base & !is.na(s$score), ]
      for (g in c("followed_up", "not_followed_up")) {
        x <- if (g == "followed_up") b$score[b$participant_id %in% followed] else b$score[!(b$participant_id %in% followed)]
        att[[length(att) + 1]] <- list(dataset = ds, follow_up = t, group = g, outcome = o, n = length(x),
                                       mean = if (length(x)) mean(x) else NA, sd = if (length(x) > 1) sd(x) else NA)
      }
    }
  }
}
write_json(list(r_version = R.version.string, descriptives = desc, attrition = att), out,
           digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
