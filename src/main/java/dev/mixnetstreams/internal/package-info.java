/**
 * Implementation details shared by the library's packages. Not exported from the module; nothing
 * here is public API.
 */
package dev.mixnetstreams.internal;
