/**
 * Internals: not exported from the module, no compatibility promised.
 */
package dev.mixnetstreams.internal;
