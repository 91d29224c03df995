# Oracle for peerimpact.scoring.reliability: Cronbach's alpha (psych::alpha),
# its Feldt 95% CI (psych::alpha$feldt, cross-checked against the closed form
# with qf) and omega total (psych::omega with one factor, minres).
#
# Usage: Rscript tests/oracle/alpha.R OUT.json INPUT.csv [INPUT.csv ...]
# Each input is a responses table (participant_id, timepoint, item columns,
# empty = missing). For every outcome below and every timepoint (in order of
# first appearance), the statistics use participants with all items answered.
# The scoring keys are typed here independently of the YAML definitions
# (docs/facts.md section 2), so a wrong key in either place fails the test.

suppressMessages({
  library(psych)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_path <- args[1]
inputs <- args[-1]

key <- function(prefix, items, reverse = integer(0), low = 1, high = 5) {
  reversed <- if (length(reverse)) paste0(prefix, "_", reverse) else character(0)
  list(columns = paste0(prefix, "_", items), reverse = reversed, low = low, high = high)
}
outcomes <- list(
  "wemwbs.total" = key("wemwbs", 1:14),
  "swemwbs.metric" = key("wemwbs", c(1, 2, 3, 6, 7, 9, 11)),
  "mbi_hss.emotional_exhaustion" = key("mbi_hss", c(1, 2, 3, 6, 8, 13, 14, 16, 20), low = 0, high = 6),
  "mbi_hss.depersonalisation" = key("mbi_hss", c(5, 10, 11, 15, 22), low = 0, high = 6),
  "mbi_hss.personal_accomplishment" = key("mbi_hss", c(4, 7, 9, 12, 17, 18, 19, 21), low = 0, high = 6),
  "revtest.total" = key("revtest", 1:6, reverse = c(2, 5))
)

rows <- list()
skipped <- list()
for (path in inputs) {
  dataset <- sub("\\.csv$", "", basename(path))
  data <- read.csv(path, colClasses = c(participant_id = "character", timepoint = "character"),
                   na.strings = "", check.names = FALSE)
  for (outcome in names(outcomes)) {
    k <- outcomes[[outcome]]
    if (!all(k$columns %in% names(data))) next
    for (tp in unique(data$timepoint)) {
      x <- data[data$timepoint == tp, k$columns, drop = FALSE]
      for (col in k$reverse) x[[col]] <- k$low + k$high - x[[col]]
      x <- x[complete.cases(x), , drop = FALSE]
      n <- nrow(x)
      n_items <- ncol(x)
      if (any(vapply(x, function(v) var(v) == 0, logical(1)))) {
        # psych::alpha silently drops an item that does not vary (changing k);
        # PeerImpact keeps it and warns, so these cells are not compared.
        skipped[[length(skipped) + 1]] <- list(dataset = dataset, outcome = outcome, timepoint = tp,
                                               reason = "an item does not vary")
        next
      }
      a <- suppressWarnings(suppressMessages(psych::alpha(x, warnings = FALSE)))
      raw_alpha <- a$total$raw_alpha
      feldt_low <- as.numeric(unlist(a$feldt$lower.ci))
      feldt_high <- as.numeric(unlist(a$feldt$upper.ci))
      # Feldt (1965) closed form, which psych::alpha.ci implements.
      closed_low <- 1 - (1 - raw_alpha) * qf(0.975, n - 1, (n - 1) * (n_items - 1))
      closed_high <- 1 - (1 - raw_alpha) * qf(0.025, n - 1, (n - 1) * (n_items - 1))
      if (!(abs(closed_low - feldt_low) < 1e-12 && abs(closed_high - feldt_high) < 1e-12)) stop(sprintf("%s %s %s: %.17g %.17g %.17g %.17g n=%d", dataset, outcome, tp, closed_low, feldt_low, closed_high, feldt_high, n))
      om <- suppressWarnings(suppressMessages(psych::omega(x, nfactors = 1, plot = FALSE)))
      rows[[length(rows) + 1]] <- list(
        dataset = dataset, outcome = outcome, timepoint = tp, n = n, n_items = n_items,
        alpha = unname(raw_alpha),
        alpha_ci_low = feldt_low, alpha_ci_high = feldt_high,
        omega = unname(om$omega.tot),
        # psych bounds uniquenesses at 0.005: a communality at 0.995 or above is a Heywood case
        heywood = any(om$schmid$sl[, "h2"] >= 0.995 - 1e-6)
      )
    }
  }
}

meta <- list(
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  psych_version = as.character(packageVersion("psych"))
)
jsonlite::write_json(list(meta = meta, results = rows, skipped = skipped), out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE)
