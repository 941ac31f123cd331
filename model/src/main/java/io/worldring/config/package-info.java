/** HOCON configuration mapped onto records that reject unknown keys. */
package io.worldring.config;
