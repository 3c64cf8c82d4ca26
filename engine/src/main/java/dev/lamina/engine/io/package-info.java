/**
 * Model files: a small JSON reader/writer and the public safetensors layout.
 */
package dev.lamina.engine.io;
