/**
 * Vision data for LWM's stage II: frames from images and videos (resize short side, centre crop, uniform
 * frame sampling), the {@link io.worldring.datasets.vision.VisionTokenizer} abstraction, and the token
 * layout of vision-language examples ({@code <vision>}, codes, {@code <eof>}/{@code <eov>},
 * {@code </vision>}, a vision mask, per-position loss kinds).
 */
package io.worldring.datasets.vision;
