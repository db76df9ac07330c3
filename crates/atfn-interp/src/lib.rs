//! Resumable WebAssembly interpreter whose whole execution state is plain data.
