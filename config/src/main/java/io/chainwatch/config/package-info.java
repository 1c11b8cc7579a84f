/**
 * Settings records, loading (YAML file plus {@code CHAINWATCH_*} environment overrides) and validation. Depends on the
 * model module and snakeyaml only.
 */
package io.chainwatch.config;
