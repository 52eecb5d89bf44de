"""c1w2-mnist-callback: a dense MNIST classifier and a callback that stops at 99%."""
from styles.corpus import PASS, Variant

A = "c1w2-mnist-callback"
MODEL = ("test_create_and_compile_model_output_shape", "test_create_and_compile_model_compile",
         "test_create_and_compile_model_parameter_budget")
CALLBACK = ("test_EarlyStoppingCallback_stops_at_threshold", "test_EarlyStoppingCallback_message")


def model_passes(**more):
    return {**dict.fromkeys(MODEL, PASS), **more}


def callback_passes(**more):
    return {**dict.fromkeys(CALLBACK, PASS), **more}


VARIANTS = [
    Variant(
        "w2-lectures-tf-nn-activations", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                model = tf.keras.models.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)),
                                                    tf.keras.layers.Dense(512, activation=tf.nn.relu),
                                                    tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
                model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
                return model
        """},
        model_passes(),
        "the lectures' model (2019-24 notebooks): tf.nn.relu / tf.nn.softmax, input_shape= on Flatten",
    ),
    Variant(
        "w2-functional-softmax-layer", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                inputs = tf.keras.Input(shape=(28, 28))
                x = tf.keras.layers.Flatten()(inputs)
                x = tf.keras.layers.Dense(256, activation="relu")(x)
                logits = tf.keras.layers.Dense(10)(x)
                outputs = tf.keras.layers.Softmax()(logits)
                model = tf.keras.Model(inputs=inputs, outputs=outputs)
                model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
                              loss=tf.keras.losses.SparseCategoricalCrossentropy(),
                              metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
                return model
        """},
        model_passes(),
        "Functional API with a linear Dense followed by a Softmax layer, loss and metric as objects",
    ),
    Variant(
        "w2-subclassed-model", A,
        {"create_and_compile_model": """
            class DigitClassifier(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.flatten = tf.keras.layers.Flatten()
                    self.hidden = tf.keras.layers.Dense(128, activation=tf.nn.relu)
                    self.out = tf.keras.layers.Dense(10, activation=tf.nn.softmax)

                def call(self, inputs):
                    return self.out(self.hidden(self.flatten(inputs)))

            def create_and_compile_model():
                model = DigitClassifier()
                model.compile(optimizer="adam", loss=tf.keras.losses.sparse_categorical_crossentropy,
                              metrics=["accuracy"])
                return model
        """},
        model_passes(),
        "a subclassed tf.keras.Model, never built before it is returned, the loss as a function; "
        "graded whole: it trains and stops like any other model",
        end_to_end=True,
    ),
    Variant(
        "w2-lambda-layer", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                model = tf.keras.Sequential([tf.keras.Input(shape=(28, 28)),
                                             tf.keras.layers.Lambda(lambda x: tf.reshape(x, (-1, 784))),
                                             tf.keras.layers.Dense(128, activation="relu"),
                                             tf.keras.layers.Dense(10, activation="softmax")])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                return model
        """},
        dict.fromkeys(MODEL, "`Lambda` layer"),
        "a Lambda layer runs the learner's own Python: the grader cannot rebuild it safely and says what to use",
    ),
    Variant(
        "w2-course-callback-strictly-above", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs={}):
                    if logs.get('accuracy') is not None and logs.get('accuracy') > 0.99:
                        print("\\nReached 99% accuracy so cancelling training!")
                        self.model.stop_training = True
        """},
        callback_passes(),
        "the course's own idiom: logs.get('accuracy') > 0.99 with logs={} and a leading newline",
    ),
    Variant(
        "w2-callback-never-stops", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs=None):
                    if logs.get('accuracy') > 99:
                        self.model.stop_training = True
                        print("Reached 99% accuracy so cancelling training!")
        """},
        {"test_EarlyStoppingCallback_stops_at_threshold": "never stopped it",
         "test_EarlyStoppingCallback_message": "it printed ''"},
        "red team: a threshold of 99 instead of 0.99 never stops training",
    ),
]

TRAINING = ("test_train_mnist_stops_early", "test_train_mnist_test_accuracy")
NOT_IMPLEMENTED = "not implemented"

# The lectures' model (2019-24 notebooks and the course notes): input_shape= on Flatten, tf.nn
# activations, `tf.optimizers.Adam()`.
LECTURES_MODEL = """
    def create_and_compile_model():
        model = tf.keras.models.Sequential([
            tf.keras.layers.Flatten(input_shape=(28, 28)),
            tf.keras.layers.Dense(512, activation=tf.nn.relu),
            tf.keras.layers.Dense(10, activation=tf.nn.softmax)
        ])
        model.compile(optimizer=tf.optimizers.Adam(),
                      loss='sparse_categorical_crossentropy',
                      metrics=['accuracy'])
        return model
"""
# The course's callback (2020-23 notebooks): a `myCallback` renamed to our class, logs={}, `>`.
LECTURES_CALLBACK = """
    class EarlyStoppingCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if(logs.get('accuracy') > 0.99):
                print("\\nReached 99% accuracy so cancelling training!")
                self.model.stop_training = True
"""
# The 2022-24 training function: the callback instance kept in a variable named `callbacks`.
LECTURES_TRAIN = """
    def train_mnist(training_images, training_labels):
        callbacks = EarlyStoppingCallback()
        model = create_and_compile_model()
        history = model.fit(training_images, training_labels, epochs=10, callbacks=[callbacks])
        return history
"""
ACC_CALLBACK_GUARDED = """
    class EarlyStoppingCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get('acc') is not None and logs.get('acc') > 0.99:
                print("\\nReached 99% accuracy so cancelling training!")
                self.model.stop_training = True
"""


def callback(body: str) -> dict:
    """The EarlyStoppingCallback cell with `body` as its on_epoch_end (8 spaces deep)."""
    return {"EarlyStoppingCallback": "class EarlyStoppingCallback(tf.keras.callbacks.Callback):\n"
                                     "    def on_epoch_end(self, epoch, logs=None):\n" + body}


def model_cell(layers: str, compile_args: str = "optimizer='adam', loss='sparse_categorical_crossentropy', "
                                                 "metrics=['accuracy']", before: str = "") -> dict:
    """A Sequential model cell with the given layer list and compile arguments."""
    return {"create_and_compile_model": f"""{before}
def create_and_compile_model():
    model = tf.keras.Sequential([{layers}])
    model.compile({compile_args})
    return model
"""}


VARIANTS += [
    # ------------------------------------------------------------------ graded whole
    Variant(
        "w2-lectures-graded", A,
        {"create_and_compile_model": LECTURES_MODEL, "EarlyStoppingCallback": LECTURES_CALLBACK,
         "train_mnist": LECTURES_TRAIN},
        {**model_passes(), **callback_passes()},
        "the whole notebook as the lectures write it: tf.nn.relu/tf.nn.softmax, input_shape=, "
        "tf.optimizers.Adam(), `logs.get('accuracy') > 0.99` (strictly above), `callbacks = myCallback()`",
        end_to_end=True,
    ),
    Variant(
        "w2-acc-metric-and-acc-key-graded", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                model = tf.keras.models.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)),
                                                    tf.keras.layers.Dense(512, activation=tf.nn.relu),
                                                    tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
                model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['acc'])
                return model
         """,
         "EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs={}):
                    if(logs.get('acc') > 0.99):
                        print("\\nReached 99% accuracy so cancelling training!")
                        self.model.stop_training = True
         """,
         "train_mnist": """
            def train_mnist(training_images, training_labels):
                model = create_and_compile_model()
                history = model.fit(training_images, training_labels, epochs=10,
                                    callbacks=[EarlyStoppingCallback()])
                return history
         """},
        {**model_passes(), **callback_passes()},
        "the 2019-21 notebooks: metrics=['acc'] and a callback reading logs.get('acc') > 0.99: "
        "consistent, so it stops at 99% and earns full marks",
        end_to_end=True,
    ),
    Variant(
        "w2-acc-key-with-accuracy-metric-graded", A,
        {"EarlyStoppingCallback": ACC_CALLBACK_GUARDED},
        {**callback_passes(), "test_train_mnist_stops_early": "reads the metric 'acc'"},
        "a 2019 callback (logs.get('acc')) with the model compiled as the task says (metrics=['accuracy']): "
        "Keras logs 'accuracy', so training never stops; the callback's own parts pass, the stopping "
        "part fails and names the 'acc' key",
        end_to_end=True, direct=False,
    ),
    Variant(
        "w2-sigmoid-head-graded", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(10, activation='sigmoid')"),
        {"test_create_and_compile_model_output_shape": "should be a softmax"},
        "red team: ten sigmoid outputs are not a softmax (they do not sum to 1); the task asks for "
        "softmax, so the output part fails; training still learns, and the parts judging it pass",
        end_to_end=True,
    ),
    # ------------------------------------------------------------------ model styles
    Variant(
        "w2-sequential-add-tf-nn", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                model = tf.keras.Sequential()
                model.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
                model.add(tf.keras.layers.Dense(128, activation=tf.nn.relu))
                model.add(tf.keras.layers.Dense(10, activation=tf.nn.softmax))
                model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
                return model
        """},
        model_passes(),
        "Sequential() + .add with the lectures' tf.nn activations and input_shape= on Flatten",
    ),
    Variant(
        "w2-keras-activations-functions", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(256, activation=tf.keras.activations.relu), "
                   "tf.keras.layers.Dense(10, activation=tf.keras.activations.softmax)"),
        model_passes(),
        "activations given as tf.keras.activations functions (2024+ API docs)",
    ),
    Variant(
        "w2-activation-layers", A,
        model_cell("tf.keras.layers.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512), tf.keras.layers.Activation('relu'), "
                   "tf.keras.layers.Dense(10), tf.keras.layers.Activation(tf.nn.softmax)"),
        model_passes(),
        "linear Dense layers each followed by an Activation layer, the last one Activation(tf.nn.softmax)",
    ),
    Variant(
        "w2-from-tensorflow-import-keras-acc", A,
        {"create_and_compile_model": """
            from tensorflow import keras

            def create_and_compile_model():
                model = keras.models.Sequential([
                    keras.layers.Flatten(input_shape=(28, 28)),
                    keras.layers.Dense(128, activation='relu'),
                    keras.layers.Dense(10, activation='softmax'),
                ])
                model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                              loss=keras.losses.SparseCategoricalCrossentropy(),
                              metrics=['acc'])
                return model
        """},
        model_passes(),
        "`from tensorflow import keras` (2019-21 notebooks), a loss object and the metric spelt 'acc'",
    ),
    Variant(
        "w2-import-keras-dropout-rmsprop", A,
        {"create_and_compile_model": """
            import keras

            def create_and_compile_model():
                model = keras.Sequential([
                    keras.Input(shape=(28, 28)),
                    keras.layers.Flatten(),
                    keras.layers.Dense(256, activation="relu"),
                    keras.layers.Dropout(0.2),
                    keras.layers.Dense(10, activation="softmax"),
                ])
                model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.0005),
                              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                return model
        """},
        model_passes(),
        "Keras 3 `import keras`, a Dropout layer before the head, RMSprop with its own learning rate",
    ),
    Variant(
        "w2-reshape-leaky-relu", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Reshape((784,)), "
                   "tf.keras.layers.Dense(300), tf.keras.layers.LeakyReLU(), "
                   "tf.keras.layers.Dense(10, activation='softmax')"),
        model_passes(),
        "Reshape((784,)) instead of Flatten, a LeakyReLU layer as the hidden activation",
    ),
    Variant(
        "w2-sgd-momentum-metric-name", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(10, activation='softmax')",
                   "optimizer=tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), "
                   "loss=tf.keras.losses.sparse_categorical_crossentropy, "
                   "metrics=['sparse_categorical_accuracy']"),
        model_passes(),
        "an SGD optimizer with momentum (any optimizer is allowed), the metric by its full name",
    ),
    Variant(
        "w2-batchnorm-two-hidden", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(256, activation='relu'), tf.keras.layers.BatchNormalization(), "
                   "tf.keras.layers.Dense(128, activation='relu'), tf.keras.layers.Dense(10, activation='softmax')"),
        model_passes(),
        "two hidden layers with BatchNormalization between them: 'one or more hidden Dense layers'",
    ),
    Variant(
        "w2-nested-sequential-relu-layer", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                features = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(256),
                                                tf.keras.layers.ReLU()], name="features")
                model = tf.keras.Sequential([tf.keras.Input(shape=(28, 28)), features,
                                             tf.keras.layers.Dense(10, activation="softmax")])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                return model
        """},
        model_passes(),
        "a Sequential nested in a Sequential, with a ReLU layer as the hidden activation",
    ),
    Variant(
        "w2-functional-layers-input-named", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                images = tf.keras.layers.Input(shape=(28, 28), name="images")
                flat = tf.keras.layers.Flatten(name="flatten")(images)
                hidden = tf.keras.layers.Dense(128, activation=tf.nn.relu, name="hidden")(flat)
                probabilities = tf.keras.layers.Dense(10, activation=tf.nn.softmax, name="digit")(hidden)
                model = tf.keras.models.Model(images, probabilities)
                model.compile(optimizer="nadam", loss="sparse_categorical_crossentropy", metrics=["acc"])
                return model
        """},
        model_passes(),
        "Functional API with tf.keras.layers.Input, named layers, tf.nn activations, Nadam, 'acc'",
    ),
    Variant(
        "w2-tf-train-adam-optimizer", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                model = tf.keras.models.Sequential([tf.keras.layers.Flatten(),
                                                    tf.keras.layers.Dense(128, activation=tf.nn.relu),
                                                    tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
                model.compile(optimizer=tf.train.AdamOptimizer(), loss='sparse_categorical_crossentropy',
                              metrics=['accuracy'])
                return model
        """},
        {**dict.fromkeys(MODEL, "`tf.train.AdamOptimizer` is TensorFlow 1"), **callback_passes()},
        "removed API (the 2019 lecture in the course notes): tf.train.AdamOptimizer fails the model's "
        "parts with the fix, not the callback's",
    ),
    Variant(
        "w2-categorical-crossentropy", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(10, activation='softmax')",
                   "optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy']"),
        {"test_create_and_compile_model_output_shape": PASS,
         "test_create_and_compile_model_compile": "not one-hot",
         "test_create_and_compile_model_parameter_budget": PASS},
        "wrong: categorical_crossentropy with integer labels (the labels are digits, not one-hot vectors)",
    ),
    Variant(
        "w2-logits-head", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(10)",
                   "optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), "
                   "metrics=['accuracy']"),
        {"test_create_and_compile_model_output_shape": "should be a softmax",
         "test_create_and_compile_model_compile": "sparse_categorical_crossentropy",
         "test_create_and_compile_model_parameter_budget": PASS},
        "wrong by the task's text (10 units with softmax, outputs are probabilities): logits with "
        "from_logits=True (TF tutorials' style)",
    ),
    Variant(
        "w2-no-metric", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation=tf.nn.relu), tf.keras.layers.Dense(10, activation=tf.nn.softmax)",
                   "optimizer='adam', loss='sparse_categorical_crossentropy'"),
        {"test_create_and_compile_model_output_shape": PASS,
         "test_create_and_compile_model_compile": "metrics=['accuracy']",
         "test_create_and_compile_model_parameter_budget": PASS},
        "wrong: compiled without metrics, as the course notes' first lecture model is",
    ),
    Variant(
        "w2-too-many-parameters", A,
        model_cell("tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(1024, activation='relu'), tf.keras.layers.Dense(1024, activation='relu'), "
                   "tf.keras.layers.Dense(10, activation='softmax')"),
        {"test_create_and_compile_model_output_shape": PASS, "test_create_and_compile_model_compile": PASS,
         "test_create_and_compile_model_parameter_budget": "far fewer"},
        "wrong by the task's text (keep the model small): 1.86 M parameters",
    ),
    Variant(
        "w2-flat-784-input", A,
        model_cell("tf.keras.Input(shape=(784,)), tf.keras.layers.Dense(512, activation='relu'), "
                   "tf.keras.layers.Dense(10, activation='softmax')"),
        {"test_create_and_compile_model_output_shape": "28x28 images"},
        "wrong input shape: a model for flat 784-vectors, while the images are 28x28",
    ),
    Variant(
        "w2-partial-model-only", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs=None):
                    # YOUR CODE HERE
                    raise NotImplementedError()
         """,
         "train_mnist": """
            def train_mnist(training_images, training_labels):
                # YOUR CODE HERE
                raise NotImplementedError()
                return history
         """},
        {**model_passes(), **dict.fromkeys(CALLBACK, NOT_IMPLEMENTED)},
        "partial work: only the model written; it keeps its points, the callback's parts say they are "
        "not implemented",
    ),
    # ------------------------------------------------------------------ callback styles
    Variant(
        "w2-callback-logs-index-ge", A,
        callback("        if logs['accuracy'] >= 0.99:\n"
                 "            self.model.stop_training = True\n"
                 "            print('Reached 99% accuracy so cancelling training!')\n"),
        callback_passes(),
        "logs['accuracy'] >= 0.99 (2024+ notebooks), stopping before printing",
    ),
    Variant(
        "w2-callback-message-whitespace", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs={}):
                    accuracy = logs.get("accuracy", 0)
                    if accuracy >= 0.99:
                        print(f"\\n\\n  Reached 99% accuracy so cancelling training!  \\n")
                        self.model.stop_training = True
                    else:
                        print(f"epoch {epoch + 1}: accuracy {accuracy:.4f}")
        """},
        callback_passes(),
        "the message padded with blank lines and spaces, progress printed on the other epochs",
    ),
    Variant(
        "w2-callback-init-threshold", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def __init__(self, threshold=0.99):
                    super().__init__()
                    self.threshold = threshold

                def on_epoch_end(self, epoch, logs=None):
                    logs = logs or {}
                    if logs.get("accuracy", logs.get("acc", 0.0)) >= self.threshold:
                        self.model.stop_training = True
                        print("Reached 99% accuracy so cancelling training!")
        """},
        callback_passes(),
        "an __init__ with a default threshold, `logs = logs or {}`, either metric key",
    ),
    Variant(
        "w2-callback-imported-base-class", A,
        {"EarlyStoppingCallback": """
            from tensorflow.keras.callbacks import Callback

            class EarlyStoppingCallback(Callback):
                def on_epoch_end(self, epoch, logs=None):
                    super().on_epoch_end(epoch, logs)
                    accuracy = logs.get('accuracy') or logs.get('acc')
                    if accuracy and accuracy >= .99:
                        print("\\nReached {}% accuracy so cancelling training!".format(99))
                        self.model.stop_training = True
        """},
        callback_passes(),
        "`from tensorflow.keras.callbacks import Callback`, super().on_epoch_end, either key, "
        "the message built with str.format",
    ),
    Variant(
        "w2-callback-nested-ifs-gt", A,
        callback("        if logs is not None:\n"
                 "            if 'accuracy' in logs:\n"
                 "                if logs['accuracy'] > 0.99:\n"
                 "                    self.model.stop_training = True\n"
                 "                    print('\\nReached 99% accuracy so cancelling training!')\n"),
        callback_passes(),
        "nested ifs: `'accuracy' in logs` then strictly above 0.99",
    ),
    Variant(
        "w2-callback-counts-epochs", A,
        callback("        if epoch >= 4:\n"
                 "            self.model.stop_training = True\n"
                 "            print('Reached 99% accuracy so cancelling training!')\n"),
        {"test_EarlyStoppingCallback_stops_at_threshold": "training should stop after epoch"},
        "cheat: stops after five epochs whatever the accuracy",
    ),
    Variant(
        "w2-callback-stops-at-98", A,
        callback("        if logs.get('accuracy') >= 0.98:\n"
                 "            self.model.stop_training = True\n"
                 "            print('Reached 99% accuracy so cancelling training!')\n"),
        {"test_EarlyStoppingCallback_stops_at_threshold": "stopped it after epoch",
         "test_EarlyStoppingCallback_message": PASS},
        "red team: stops below the threshold (0.98) while printing the 99% message",
    ),
    Variant(
        "w2-callback-loss-threshold", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                def on_epoch_end(self, epoch, logs={}):
                    if logs.get('loss') < 0.4:
                        print("\\nReached 99% accuracy so cancelling training!")
                        self.model.stop_training = True
        """},
        {"test_EarlyStoppingCallback_stops_at_threshold": "stopped it after epoch"},
        "wrong: the lecture's first callback (loss below 0.4) instead of accuracy at 99%",
    ),
    Variant(
        "w2-callback-self-stop-training", A,
        callback("        if logs.get('accuracy') >= 0.99:\n"
                 "            print('Reached 99% accuracy so cancelling training!')\n"
                 "            self.stop_training = True\n"),
        {"test_EarlyStoppingCallback_stops_at_threshold": "never stopped it",
         "test_EarlyStoppingCallback_message": PASS},
        "wrong: `self.stop_training = True` sets a flag on the callback, which Keras never reads",
    ),
]

VARIANTS += [
    Variant(
        "w2-cheat-edited-history-graded", A,
        {"train_mnist": """
            def train_mnist(training_images, training_labels):
                model = create_and_compile_model()
                history = model.fit(training_images[:256], training_labels[:256], epochs=1, verbose=0)
                history.history["accuracy"] = [0.95, 0.985, 0.992]
                history.history["loss"] = [0.2, 0.05, 0.03]
                history.epoch = [0, 1, 2]
                return history
        """},
        dict.fromkeys(TRAINING, "History reports"),
        "cheat: one short fit on 256 images, then accuracies typed into the History; neither training "
        "part may be earned, and both say the History was not the one fit returned",
        end_to_end=True, direct=False,
    ),
    Variant(
        "w2-fit-generator-graded", A,
        {"train_mnist": """
            def batches(images, labels, size=32):
                while True:
                    for start in range(0, len(images), size):
                        yield images[start:start + size], labels[start:start + size]

            def train_mnist(training_images, training_labels):
                model = create_and_compile_model()
                history = model.fit_generator(batches(training_images, training_labels),
                                              steps_per_epoch=len(training_images) // 32, epochs=10,
                                              callbacks=[EarlyStoppingCallback()])
                return history
        """},
        dict.fromkeys(TRAINING, "`fit_generator` was removed"),
        "removed API (2019 notebooks): model.fit_generator on a Python generator fails the training "
        "parts with the fix (call fit), and only them",
        end_to_end=True, direct=False,
    ),
]
