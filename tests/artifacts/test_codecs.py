"""Each kind of record: saved as the grading kernel saves it, loaded as the checks' process loads
it, without learner code (autograder.artifacts)."""
import json
import sys
import zipfile

import numpy as np
import pytest
import tensorflow as tf

from autograder.artifacts import callbacks, images, records
from autograder.artifacts.values import recreated_error
from autograder.kernel.save import save

L = tf.keras.layers


def round_trip(tmp_path, namespace, how="value", input_shape=None):
    save(namespace, dict.fromkeys(namespace, how), tmp_path, input_shape)
    return records.load(tmp_path)


def test_plain_values_arrays_and_opaque_objects(tmp_path):
    values = {"answer": ("b", 3), "arrays": (np.arange(3), np.ones((2, 2))), "image": np.eye(3, dtype="uint8"),
              "thing": object()}
    loaded, problems = round_trip(tmp_path, values)
    assert not problems and loaded["answer"] == ("b", 3) and loaded["image"].dtype == np.uint8
    assert np.array_equal(loaded["arrays"][1], np.ones((2, 2))) and type(loaded["thing"]).__name__ == "object"
    assert not list(tmp_path.glob("*.pkl")) and b"pickle" not in (tmp_path / "arrays.npz").read_bytes()[:64]


def test_what_is_missing_or_raised_is_recorded_as_such(tmp_path):
    def broken():
        raise KeyError("acc")

    save({"broken": broken}, {"broken": "call", "missing": "value"}, tmp_path)
    loaded, _ = records.load(tmp_path)
    assert "missing" not in loaded and json.loads((tmp_path / "missing.json").read_text()) == {"kind": "undefined"}
    with pytest.raises(KeyError, match="acc"):
        loaded["broken"]()
    assert type(recreated_error("TrainingStopped", "x")).__name__ == "TrainingStopped"


def lectures_model():
    model = tf.keras.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(16, activation=tf.nn.relu),
                                 L.Dense(10, activation=tf.nn.softmax)])
    model.compile(optimizer=tf.keras.optimizers.Adam(), loss=tf.keras.losses.sparse_categorical_crossentropy,
                  metrics=["acc"])
    return model


def test_a_model_of_the_lectures_style_loads_without_learner_code(tmp_path):
    model = lectures_model()
    loaded, problems = round_trip(tmp_path, {"model": model})
    probe = np.random.default_rng(0).uniform(size=(3, 28, 28)).astype("float32")
    assert not problems and np.allclose(loaded["model"](probe), model(probe), atol=1e-6)
    with zipfile.ZipFile(tmp_path / "model.keras") as saved:
        config = saved.read("config.json").decode()
    assert '"activation": "softmax"' in config and "softmax_v2" not in config and '"builtins"' not in config


def test_a_history_keeps_its_model_and_optimizer_steps(tmp_path):
    model = lectures_model()
    history = model.fit(np.zeros((8, 28, 28)), np.arange(8) % 10, epochs=2, batch_size=4, verbose=0)
    loaded, problems = round_trip(tmp_path, {"history": history})
    assert not problems and loaded["history"].history["acc"] == history.history["acc"]
    assert int(loaded["history"].model.optimizer.iterations) == 4


def test_a_lambda_layer_is_refused_with_what_to_write_instead(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((4,)), L.Lambda(lambda x: x * 2), L.Dense(1)])
    loaded, problems = round_trip(tmp_path, {"model": model})
    assert "model" not in loaded and "`Lambda` layer" in problems["model"] and "Rescaling" in problems["model"]


def test_an_unbuilt_model_is_built_for_the_tasks_input(tmp_path):
    model = tf.keras.Sequential([L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    loaded, problems = round_trip(tmp_path, {"model": model}, input_shape=(28, 28))
    assert not problems and loaded["model"].input_shape == (None, 28, 28)


def test_datasets_load_with_their_container_and_repeat(tmp_path):
    single = tf.data.Dataset.range(5).batch(2)
    pair = [tf.data.Dataset.range(3), tf.data.Dataset.range(2).repeat()]
    loaded, problems = round_trip(tmp_path, {"single": single, "pair": pair})
    assert not problems and [int(x[0]) for x in loaded["single"]] == [0, 2, 4]
    assert isinstance(loaded["pair"], list) and loaded["pair"][1].cardinality() == tf.data.INFINITE_CARDINALITY


class Stopper(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs.get("acc") > 0.99:
            print("stop!")
            self.model.stop_training = True


def test_a_callback_replays_what_it_did_in_the_kernel():
    replay = callbacks.load(None, "EarlyStoppingCallback", json.loads(json.dumps(callbacks.save(Stopper))))
    for logs in callbacks.CALLBACK_LOGS:
        assert callbacks.run_callback(replay, logs) == callbacks.run_callback(Stopper, logs)
    with pytest.raises(LookupError, match="did not record a run"):
        callbacks.run_callback(replay, [0.5])


def test_an_image_function_replays_its_results_and_in_place_changes(tmp_path):
    def divide_in_place(batch):
        batch //= 2
        return batch.reshape(len(batch), 28, 28, 1) / 127.0

    record = images.save(divide_in_place, tmp_path, "prepare")
    replay = images.load(tmp_path, "prepare", json.loads(json.dumps(record)))
    given = images.sample_images(5)
    result = replay(given)
    assert result.shape == (5, 28, 28, 1) and np.array_equal(given, images.sample_images(5) // 2)


def spin(epoch, logs=None):
    while True:
        pass


def spin_swallowing_errors(epoch, logs=None):
    while True:
        try:
            pass
        except Exception:  # learner code swallowing errors cannot keep it running
            pass


@pytest.mark.parametrize("hang", [
    spin,
    pytest.param(spin_swallowing_errors, marks=pytest.mark.skipif(
        sys.version_info < (3, 11), reason="Python 3.10 runs no signal handler inside this loop: "
                                            "there, only the cell's own time limit ends it")),
])
def test_a_hung_callback_costs_seconds_not_the_cell_limit(monkeypatch, hang):
    from autograder.artifacts import probes

    class Hung(tf.keras.callbacks.Callback):
        on_epoch_end = staticmethod(hang)

    monkeypatch.setattr(probes, "PROBE_SECONDS", 0.3)
    record = callbacks.save(Hung)
    assert all(run["error"][0] == "ProbeTimeLimit" for run in record["runs"])
    replay = callbacks.load(None, "EarlyStoppingCallback", record)
    with pytest.raises(Exception, match="did not return within"):
        callbacks.run_callback(replay, callbacks.CALLBACK_LOGS[0])
