//! Executes wast directives against the engine: modules, registration, invocations and
//! every assertion kind of the WebAssembly 2.0 testsuite.

use std::collections::HashMap;

use atfn_interp::{
    Engine, Error, FuncType, HostAction, Instance, Linker, MemoryType, Module, Outcome, Store,
    TableType, ValType, Value,
};
use wast::core::Module as WastModule;
use wast::{QuoteWat, WastDirective, WastExecute, WastInvoke, Wat};

use super::values::{arg, matches};

pub struct Runner {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last: Option<Instance>,
}

/// Links the `spectest` print functions (no-ops) into `linker`.
pub(crate) fn spectest_funcs(linker: &mut Linker<()>) {
    use ValType::*;
    let prints: [(&str, Vec<ValType>); 7] = [
        ("print", vec![]),
        ("print_i32", vec![I32]),
        ("print_i64", vec![I64]),
        ("print_f32", vec![F32]),
        ("print_f64", vec![F64]),
        ("print_i32_f32", vec![I32, F32]),
        ("print_f64_f64", vec![F64, F64]),
    ];
    for (name, params) in prints {
        linker.func("spectest", name, FuncType::new(params, []), |_, _| {
            Ok(HostAction::Return(vec![]))
        });
    }
}

/// Links the whole `spectest` module: print functions, globals, table and memory.
fn spectest(store: &mut Store<()>, linker: &mut Linker<()>) {
    spectest_funcs(linker);
    let globals = [
        ("global_i32", Value::I32(666)),
        ("global_i64", Value::I64(666)),
        ("global_f32", Value::F32(666.6f32.to_bits())),
        ("global_f64", Value::F64(666.6f64.to_bits())),
    ];
    for (name, v) in globals {
        let g = store.new_global(v, false);
        linker.define("spectest", name, g);
    }
    let table = store
        .new_table(
            TableType {
                elem: ValType::FuncRef,
                min: 10,
                max: Some(20),
            },
            Value::FuncRef(None),
        )
        .expect("spectest table");
    linker.define("spectest", "table", table);
    let memory = store
        .new_memory(MemoryType {
            min: 1,
            max: Some(2),
        })
        .expect("spectest memory");
    linker.define("spectest", "memory", memory);
}

/// Spec messages sometimes add detail after the standard text ("uninitialized element 2").
pub(crate) fn trap_matches(got: &str, expected: &str) -> bool {
    expected.starts_with(got)
}

/// The `$name` of a text module, if it has one.
pub(crate) fn module_name<'a>(qw: &QuoteWat<'a>) -> Option<&'a str> {
    match qw {
        QuoteWat::Wat(Wat::Module(WastModule { id, .. })) => id.map(|i| i.name()),
        _ => None,
    }
}

impl Runner {
    pub fn new() -> Self {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new();
        spectest(&mut store, &mut linker);
        Self {
            engine,
            store,
            linker,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last: None,
        }
    }

    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown instance {}", id.name())),
            None => self.last.ok_or_else(|| "no instance".to_string()),
        }
    }

    fn compile(&self, qw: &mut QuoteWat<'_>) -> Result<Module, String> {
        let bytes = qw.encode().map_err(|e| format!("encode: {e}"))?;
        Module::new(&self.engine, &bytes).map_err(|e| e.to_string())
    }

    fn instantiate(&mut self, module: &Module, name: Option<&str>) -> Result<(), Error> {
        let inst = self.linker.instantiate(&mut self.store, module)?;
        if let Some(name) = name {
            self.instances.insert(name.to_string(), inst);
        }
        self.last = Some(inst);
        Ok(())
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Vec<Value>, Error> {
        let inst = self
            .instance(inv.module)
            .map_err(|_| Error::ExportNotFound(inv.name.into()))?;
        let args: Vec<Value> = inv
            .args
            .iter()
            .map(arg)
            .collect::<Result<_, _>>()
            .map_err(|_| Error::ExportNotFound(inv.name.into()))?;
        match self.store.call(inst, inv.name, &args)? {
            Outcome::Finished(v) => Ok(v),
            Outcome::Suspended(r) => Err(Error::SuspendInReentrantCall(r)),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Vec<Value>, Error> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Wat(mut wat) => {
                let bytes = wat
                    .encode()
                    .map_err(|e| Error::WrongState(Box::leak(e.to_string().into_boxed_str())))?;
                let module = Module::new(&self.engine, &bytes)?;
                self.instantiate(&module, None).map(|()| Vec::new())
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self
                    .instance(module)
                    .map_err(|_| Error::ExportNotFound(global.into()))?;
                self.store
                    .global(inst, global)
                    .map(|v| vec![v])
                    .ok_or_else(|| Error::ExportNotFound(global.into()))
            }
        }
    }

    /// Runs one directive; `Err` describes a failed expectation.
    pub fn run(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(mut qw) => {
                let name = module_name(&qw);
                let module = self.compile(&mut qw)?;
                self.instantiate(&module, name).map_err(|e| e.to_string())
            }
            WastDirective::ModuleDefinition(mut qw) => {
                let name = module_name(&qw).ok_or("unnamed module definition")?;
                let module = self.compile(&mut qw)?;
                self.definitions.insert(name.to_string(), module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = module.ok_or("instance without module")?;
                let module = self
                    .definitions
                    .get(def.name())
                    .cloned()
                    .ok_or("unknown module definition")?;
                self.instantiate(&module, instance.map(|i| i.name()))
                    .map_err(|e| e.to_string())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self.instance(module)?;
                self.linker.instance(&self.store, name, inst);
                Ok(())
            }
            WastDirective::Invoke(inv) => self.invoke(&inv).map(drop).map_err(|e| e.to_string()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self.execute(exec).map_err(|e| e.to_string())?;
                let ok = got.len() == results.len()
                    && results.iter().zip(&got).all(|(w, g)| matches(w, g));
                if ok {
                    Ok(())
                } else {
                    Err(format!("got {got:?}, expected {results:?}"))
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec) {
                Err(Error::Trap(t)) if trap_matches(&t.to_string(), message) => Ok(()),
                other => Err(format!("expected trap {message:?}, got {other:?}")),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call) {
                Err(Error::Trap(t)) if trap_matches(&t.to_string(), message) => Ok(()),
                other => Err(format!("expected exhaustion {message:?}, got {other:?}")),
            },
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertInvalid { mut module, .. } => {
                let Ok(bytes) = module.encode() else {
                    return Ok(()); // rejected by the text parser already
                };
                match Module::new(&self.engine, &bytes) {
                    Err(_) => Ok(()),
                    Ok(_) => Err("module accepted".into()),
                }
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                let bytes = module.encode().map_err(|e| e.to_string())?;
                let module = Module::new(&self.engine, &bytes).map_err(|e| e.to_string())?;
                match self.instantiate(&module, None) {
                    Err(Error::Link(_)) => Ok(()),
                    other => Err(format!("expected link error, got {other:?}")),
                }
            }
            other => Err(format!("unsupported directive {other:?}")),
        }
    }
}
