// Colour swatches named by data-colour (the CSP allows no inline style attributes; CSSOM is fine).
for (const el of document.querySelectorAll(".swatch[data-colour]")) el.style.backgroundColor = el.dataset.colour;
