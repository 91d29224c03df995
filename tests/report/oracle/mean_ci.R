# Oracle for peerimpact.report.figures.mean_ci: the t-based 95% CI of a mean.
# Usage: Rscript mean_ci.R INPUT.csv OUTPUT.json
# INPUT has columns sample, value; OUTPUT lists per sample n, mean, sd and t.test(x)$conf.int.
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "numeric"))
out <- lapply(split(d$value, d$sample), function(x) {
  ci <- t.test(x)$conf.int
  list(n = length(x), mean = mean(x), sd = sd(x), ci_low = ci[1], ci_high = ci[2])
})
out <- out[order(names(out))]
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
