/**
 * Vision tokenizers for LWM's stage II: a frame ({@code [3, S, S]}, values in [-1, 1]) becomes a grid of
 * discrete codes and back, behind one interface, {@link io.worldring.model.vision.FrameCodec}.
 *
 * <h2>Two tokenizers</h2>
 * <ul>
 *   <li>{@link io.worldring.model.vision.Vqgan}: taming-transformers' VQGAN at inference, the tokenizer LWM
 *       uses. {@link io.worldring.model.vision.VqganConfig#f16x8192()} is the architecture of LWM's own
 *       checkpoint (read from {@code lwm/vqgan.py}: ch 128, ch_mult (1, 2, 2, 4, 6), no attention,
 *       z_channels = embed_dim = 64, 8192 codes; 146,244,675 weights); a 256x256 frame is 16x16 = 256 codes.
 *       {@link io.worldring.model.vision.VqganConfig#tamingF16x8192()} is taming's own f16 layout (ch_mult
 *       (1, 1, 2, 2, 4), attention at 16x16, z 256; 73,976,707 weights). On two shared CPU cores LWM's
 *       config took 7.5 s to encode and 21 s to decode one 256x256 frame.</li>
 *   <li>{@link io.worldring.model.vision.PatchCodebook}: a patch codebook this project trains itself by
 *       k-means ({@link io.worldring.model.vision.KMeans}); a frame is cut into g x g patches, one code each.
 *       {@link io.worldring.model.vision.PatchCodebookConfig#tiny()}: 32x32 frames, 16 codes, 256 centroids.</li>
 * </ul>
 * {@link io.worldring.model.vision.FrameCodecs#load} opens a tokenizer directory of either kind, as its
 * {@code tokenizer.json} says. {@link io.worldring.model.vision.Psnr} measures reconstructions (peak 2 on
 * [-1, 1], the same number as peak 255 on 8-bit pixels).
 *
 * <h2>Using LWM's pretrained VQGAN</h2>
 * No pretrained weights are available offline, so the tests run the architecture with random weights.
 * LWM's checkpoint is a pickled Flax parameter tree (the file {@code vqgan} in LWM's Hugging Face
 * repositories, e.g. {@code LargeWorldModel/LWM-Chat-1M-Jax}, which {@code --vqgan_checkpoint} points at).
 * Flatten it with dots into safetensors; the names and HWIO kernels stay Flax's, and
 * {@link io.worldring.model.vision.VqganWeights#read} recognises them by {@code quantize.embeddings} and
 * transposes the kernels:
 * <pre>
 * # pip install jax flax numpy safetensors   (CPU jax is enough)
 * import pickle, numpy as np
 * from flax.core import unfreeze
 * from flax.traverse_util import flatten_dict
 * from safetensors.numpy import save_file
 *
 * params = unfreeze(pickle.load(open("LWM-Chat-1M-Jax/vqgan", "rb")))
 * params = params.get("params", params)   # LWM pickles the tree without a "params" level; accept both
 * flat = {".".join(k): np.ascontiguousarray(np.asarray(v, dtype=np.float32))
 *         for k, v in flatten_dict(params).items()}
 * save_file(flat, "lwm-vqgan/vqgan.safetensors")
 * # names like encoder.Conv_0.kernel [3, 3, 3, 128], decoder.UpsamplingBlock_0.ResnetBlock_0.Conv_0.kernel,
 * # quantize.embeddings [8192, 64]: 277 tensors
 * </pre>
 * then make the directory a tokenizer with
 * {@code FrameCodecs.writeVqganManifest(Path.of("lwm-vqgan"), "f16x8192")}, which writes
 * {@code tokenizer.json}: {@code {"format": "worldring-frame-codec/1", "type": "vqgan", "preset": "f16x8192"}}.
 * Loading checks all 277 names and shapes and names the file and the tensor on any mismatch.
 *
 * <p>A taming-transformers checkpoint (PyTorch Lightning {@code .ckpt}) keeps its own names (which are
 * ours, OIHW kernels); drop the discriminator ({@code loss.*}) or leave it, it is ignored:
 * <pre>
 * import torch
 * from safetensors.torch import save_file
 * sd = torch.load("last.ckpt", map_location="cpu")["state_dict"]
 * keep = ("encoder.", "decoder.", "quantize.", "quant_conv.", "post_quant_conv.")
 * save_file({k: v.float().contiguous() for k, v in sd.items() if k.startswith(keep)}, "taming-vqgan/vqgan.safetensors")
 * </pre>
 * Preset {@code taming-f16x8192} fits an f16 taming config with 8192 codes; another config (say 1024 or
 * 16384 codes) needs its own {@link io.worldring.model.vision.VqganConfig} and
 * {@code new Vqgan(config, VqganWeights.read(file, config))}.
 *
 * <p>To check a conversion, encode one image in both: LWM's
 * {@code VQGAN(ckpt).encode(pixels[None] / 127.5 - 1)[1]} (NHWC) against {@link io.worldring.model.vision.Vqgan#encodeGrid}
 * of the same pixels as NCHW. Codes may differ only where two codes are almost equally near: LWM takes the
 * float argmin, we the exact one ({@link io.worldring.model.vision.NearestCode}).
 */
package io.worldring.model.vision;
