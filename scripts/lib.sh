# Shared by the project's scripts. Source it; it defines functions only.

# The wasm-bindgen version Cargo.lock pins: the one place it is written.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
