"""What the fork server of the rendering processes loads before it forks any of them
(core.pdf._pool): WeasyPrint and the fonts, so that each worker starts with them."""

from conference.core import pdf

pdf.fonts()
