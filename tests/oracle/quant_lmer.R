# Oracle for peerimpact.quant.models (random-intercept mixed models).
#
# Usage: Rscript quant_lmer.R INPUT_DIR OUT.json
# Reads quant_scores.csv and quant_timepoints.csv (level 0 = baseline = reference).
# Per dataset (except the hand-made `edge*` ones) and outcome:
#   lme4::lmer(score ~ timepoint + (1 | participant), REML = TRUE)
# (through lmerTest, which adds Satterthwaite's denominator df and the t test's p)
# on every non-missing score. Records fixed effects (estimate, SE, df, p), sigma, the participant
# SD, theta, the REML criterion, isSingular(), n_obs, n_groups, and lme4's messages and
# warnings. Timepoint levels without scores are dropped before fitting (lme4 would drop the
# rank-deficient column with a message).
suppressMessages(library(lme4))
suppressMessages(library(lmerTest))
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
scores <- read.csv(file.path(dir, "quant_scores.csv"), colClasses = c("character", "character", "character", "character", "numeric"))
tps <- read.csv(file.path(dir, "quant_timepoints.csv"), colClasses = c("character", "character", "numeric", "integer"))

fits <- list()
for (ds in unique(tps$dataset)) {
  if (startsWith(ds, "edge")) next
  tp <- tps[tps$dataset == ds, ]
  tp <- tp[order(tp$level), ]
  s <- scores[scores$dataset == ds & !is.na(scores$score), ]
  for (o in unique(scores$outcome[scores$dataset == ds])) {
    d <- s[s$outcome == o, ]
    d$participant <- factor(d$participant_id)
    d$timepoint <- factor(d$timepoint, levels = tp$timepoint[tp$timepoint %in% d$timepoint])
    notes <- character(0)
    m <- withCallingHandlers(
      tryCatch(lmerTest::lmer(score ~ timepoint + (1 | participant), data = d, REML = TRUE),
               error = function(e) { notes <<- c(notes, paste("error:", conditionMessage(e))); NULL }),
      warning = function(w) { notes <<- c(notes, paste("warning:", conditionMessage(w))); invokeRestart("muffleWarning") },
      message = function(msg) { notes <<- c(notes, paste("message:", trimws(conditionMessage(msg)))); invokeRestart("muffleMessage") })
    r <- list(dataset = ds, outcome = o, levels = I(levels(d$timepoint)), notes = I(notes))
    if (!is.null(m)) {
      cf <- summary(m)$coefficients
      terms <- sub("^timepoint", "", rownames(cf))
      has_df <- "df" %in% colnames(cf)
      r$terms <- lapply(seq_len(nrow(cf)), function(i) list(
        term = terms[i], estimate = cf[i, "Estimate"], se = cf[i, "Std. Error"],
        df = if (has_df) cf[i, "df"] else NULL, p = if (has_df) cf[i, "Pr(>|t|)"] else NULL))
      r$sigma <- sigma(m)
      r$theta <- unname(getME(m, "theta"))
      r$sd_participant <- unname(getME(m, "theta")) * sigma(m)
      r$reml_criterion <- unname(REMLcrit(m))
      r$singular <- isSingular(m)
      r$n_obs <- nobs(m)
      r$n_groups <- unname(ngrps(m))
    }
    fits[[length(fits) + 1]] <- r
  }
}
write_json(list(r_version = R.version.string, lme4_version = as.character(packageVersion("lme4")),
                lmerTest_version = as.character(packageVersion("lmerTest")), fits = fits),
           out, digits = NA, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE)
