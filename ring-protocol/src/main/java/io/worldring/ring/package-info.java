/** Ring messages, the ring schedule and the wire format: no actor behaviour lives here. */
package io.worldring.ring;
