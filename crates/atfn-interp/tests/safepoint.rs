//! Safe points: interrupts from another thread, fuel, and resumption after each.

use std::thread;
use std::time::Duration;

use atfn_interp::{Config, Outcome, SuspendReason, Value};

use crate::util::{LOOPS, finished, setup};

const SPIN: &str = r#"(module (func (export "spin") (loop $l (br $l))))"#;

#[test]
fn another_thread_suspends_an_endless_loop() {
    let (_, mut store, inst) = setup(Config::default(), SPIN);
    let handle = store.interrupt_handle();
    let waker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        handle.request_suspend();
    });
    let out = store.call(inst, "spin", &[]).unwrap();
    waker.join().unwrap();
    assert_eq!(out, Outcome::Suspended(SuspendReason::SuspendRequested));
    // A deadline set before resuming stops it again at the next safe point.
    store.interrupt_handle().deadline_reached();
    let out = store.resume(&[]).unwrap();
    assert_eq!(out, Outcome::Suspended(SuspendReason::Deadline));
}

#[test]
fn fuel_suspends_and_resumes_to_the_same_result() {
    let expected = {
        let (_, mut store, inst) = setup(Config::default(), LOOPS);
        finished(store.call(inst, "run", &[Value::I32(500)]).unwrap())
    };
    let config = Config {
        consume_fuel: true,
        ..Config::default()
    };
    let (_, mut store, inst) = setup(config, LOOPS);
    store.set_fuel(7);
    let mut out = store.call(inst, "run", &[Value::I32(500)]).unwrap();
    let mut stops = 0;
    while out == Outcome::Suspended(SuspendReason::FuelExhausted) {
        stops += 1;
        assert_eq!(store.fuel(), 0);
        store.set_fuel(7);
        out = store.resume(&[]).unwrap();
    }
    assert_eq!(finished(out), expected);
    // 500 iterations, each one back-edge and one call: about 1000 units, 7 at a time.
    assert!(stops > 100, "only {stops} stops");
}

#[test]
fn recursion_fuel_stops_inside_calls() {
    let config = Config {
        consume_fuel: true,
        ..Config::default()
    };
    let (_, mut store, inst) = setup(config, LOOPS);
    store.set_fuel(3);
    let out = store.call(inst, "fib", &[Value::I32(15)]).unwrap();
    assert_eq!(out, Outcome::Suspended(SuspendReason::FuelExhausted));
    store.set_fuel(u64::MAX);
    assert_eq!(finished(store.resume(&[]).unwrap()), vec![Value::I32(610)]);
}
