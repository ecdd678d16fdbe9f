/**
 * What a client connection may hold and for how long, beyond what Vert.x's options bound: how many
 * connections are open at once, and how long one may take to send a request head (slowloris).
 */
package dev.tandem.router.connections;
