"""c1w3-mnist-convolutions: images with a channel axis, a 99.5% callback, a Conv2D + MaxPooling2D model."""
from styles.corpus import PASS, Variant

A = "c1w3-mnist-convolutions"
DATA = ("test_reshape_and_normalize_shape", "test_reshape_and_normalize_values")
CALLBACK = ("test_EarlyStoppingCallback_stops_at_threshold", "test_EarlyStoppingCallback_message")
MODEL = ("test_convolutional_model_architecture", "test_convolutional_model_layer_shapes",
         "test_convolutional_model_compile", "test_convolutional_model_parameter_budget")
ARCHITECTURE, SHAPES, COMPILE, BUDGET = MODEL
NOT_IMPLEMENTED = "not implemented"


def passes(*groups, **more):
    return {**{test: PASS for group in groups for test in group}, **more}


def data_cell(body: str) -> dict:
    return {"reshape_and_normalize": "def reshape_and_normalize(images):\n" + body}


def callback(body: str, logs: str = "logs=None") -> dict:
    return {"EarlyStoppingCallback": "class EarlyStoppingCallback(tf.keras.callbacks.Callback):\n"
                                     f"    def on_epoch_end(self, epoch, {logs}):\n" + body}


def model_cell(layers: str, compile_args: str = "optimizer='adam', loss='sparse_categorical_crossentropy', "
                                                 "metrics=['accuracy']", before: str = "") -> dict:
    return {"convolutional_model": f"""{before}
def convolutional_model():
    model = tf.keras.models.Sequential([{layers}])
    model.compile({compile_args})
    return model
"""}


HEAD = ("tf.keras.layers.Flatten(), tf.keras.layers.Dense(128, activation='relu'), "
        "tf.keras.layers.Dense(10, activation='softmax')")

# The lectures' convolutional model (2019-24 notebooks, the course notes' W3 lab): input_shape= on
# Conv2D, tf.nn activations on the dense layers.
LECTURES_MODEL = """
    def convolutional_model():
        model = tf.keras.models.Sequential([
          tf.keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28, 28, 1)),
          tf.keras.layers.MaxPooling2D(2, 2),
          tf.keras.layers.Flatten(),
          tf.keras.layers.Dense(128, activation=tf.nn.relu),
          tf.keras.layers.Dense(10, activation=tf.nn.softmax)
        ])
        model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
        return model
"""
LECTURES_CALLBACK = """
    class EarlyStoppingCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get('accuracy') is not None and logs.get('accuracy') > 0.995:
                print("\\nReached 99.5% accuracy so cancelling training!")
                self.model.stop_training = True
"""

VARIANTS = [
    # ------------------------------------------------------------------ graded whole
    Variant(
        "w3-lectures-graded", A,
        {"reshape_and_normalize": """
            def reshape_and_normalize(images):
                images = images.reshape(-1, 28, 28, 1)
                images = images / 255.0
                return images
         """,
         "EarlyStoppingCallback": LECTURES_CALLBACK, "convolutional_model": LECTURES_MODEL},
        passes(DATA, CALLBACK, MODEL),
        "the whole notebook as the lectures write it: reshape(-1, 28, 28, 1), Conv2D(..., input_shape=(28,28,1)), "
        "tf.nn.relu/tf.nn.softmax, the course's `> 0.995` callback with logs={}",
        end_to_end=True,
    ),
    Variant(
        "w3-functional-graded", A,
        {"convolutional_model": """
            def convolutional_model():
                inputs = tf.keras.Input(shape=(28, 28, 1))
                x = tf.keras.layers.Conv2D(32, (3, 3), activation="relu")(inputs)
                x = tf.keras.layers.MaxPooling2D(pool_size=(2, 2))(x)
                x = tf.keras.layers.Flatten()(x)
                x = tf.keras.layers.Dense(128, activation="relu")(x)
                outputs = tf.keras.layers.Dense(10, activation="softmax")(x)
                model = tf.keras.Model(inputs=inputs, outputs=outputs, name="digits")
                model.compile(optimizer=tf.keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                              metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "the Functional API, graded whole: it trains and stops like the Sequential model",
        end_to_end=True,
    ),
    Variant(
        "w3-week2-callback-graded", A,
        callback("        if logs.get('accuracy') >= 0.99:\n"
                 "            self.model.stop_training = True\n"
                 "            print('\\nReached 99% accuracy so cancelling training!')\n"),
        {"test_EarlyStoppingCallback_stops_at_threshold": "stopped it after epoch",
         "test_EarlyStoppingCallback_message": "it should print",
         "test_training_history_stops_early": "below 99.5%",
         "test_training_history_first_crossing": "never reached 99.5%"},
        "red team, graded whole: the week-2 callback copied over (stops at 99%, below the 99.5% asked "
        "for): the callback's parts and the stopping parts fail; the test accuracy is still earned",
        end_to_end=True, direct=False,
    ),
    # ------------------------------------------------------------------ reshape_and_normalize
    Variant(
        "w3-data-expand-dims", A,
        data_cell("    return np.expand_dims(images, axis=-1) / 255.0\n"),
        passes(DATA),
        "np.expand_dims(images, axis=-1) / 255.0",
    ),
    Variant(
        "w3-data-reshape-len", A,
        data_cell("    images = images.reshape(len(images), 28, 28, 1)\n"
                  "    return images / 255.0\n"),
        passes(DATA),
        "reshape(len(images), 28, 28, 1): the number of images taken from the input",
    ),
    Variant(
        "w3-data-newaxis-float32", A,
        data_cell("    scaled = images.astype(np.float32) / 255.0\n"
                  "    return scaled[..., np.newaxis]\n"),
        passes(DATA),
        "astype(float32) then [..., np.newaxis]",
    ),
    Variant(
        "w3-data-astype-then-in-place", A,
        data_cell("    images = images.astype('float64')\n"
                  "    images /= 255\n"
                  "    return images.reshape(images.shape[0], 28, 28, 1)\n"),
        passes(DATA),
        "`/=` on a copy made by astype: the array it was given stays as it was",
    ),
    Variant(
        "w3-data-tf-expand-dims", A,
        data_cell("    return tf.expand_dims(images, axis=-1) / 255\n"),
        passes(DATA),
        "tf.expand_dims: returns a float tensor, which the task's 'float array' covers (the check "
        "takes a tensor as an array)",
    ),
    Variant(
        "w3-data-tf-reshape-numpy", A,
        data_cell("    images = tf.reshape(tf.cast(images, tf.float32), (-1, 28, 28, 1))\n"
                  "    return (images / 255.0).numpy()\n"),
        passes(DATA),
        "tf.reshape / tf.cast then .numpy()",
    ),
    Variant(
        "w3-data-divide-then-np-reshape", A,
        data_cell("    normalized = images / 255.0\n"
                  "    return np.reshape(normalized, (normalized.shape[0], 28, 28, 1))\n"),
        passes(DATA),
        "divide first, then np.reshape with the count read from the shape",
    ),
    Variant(
        "w3-data-float32-scalar", A,
        data_cell("    return (images / np.float32(255)).reshape(-1, 28, 28, 1).astype(np.float32)\n"),
        passes(DATA),
        "float32 all the way: divided by np.float32(255), cast again",
    ),
    Variant(
        "w3-data-in-place-divide", A,
        data_cell("    images = images.reshape(-1, 28, 28, 1)\n"
                  "    images /= 255.0\n"
                  "    return images\n"),
        dict.fromkeys(DATA, "dividing in place"),
        "wrong by the task's text (do not divide in place): `/=` on the uint8 images raises, and the "
        "message explains it",
    ),
    Variant(
        "w3-data-fixed-60000", A,
        data_cell("    images = images.reshape(60000, 28, 28, 1)\n"
                  "    images = images / 255.0\n"
                  "    return images\n"),
        dict.fromkeys(DATA, "number of images"),
        "wrong by the task's text (`n` can be any number of images): the lectures' reshape(60000, 28, 28, 1) "
        "works on the training set only; the message must say why",
    ),
    Variant(
        "w3-data-channel-first", A,
        data_cell("    return images.reshape(-1, 1, 28, 28) / 255.0\n"),
        {"test_reshape_and_normalize_shape": "channel axis last", "test_reshape_and_normalize_values": PASS},
        "wrong: the channel axis first (PyTorch's layout); the values themselves are right",
    ),
    Variant(
        "w3-data-not-normalised", A,
        data_cell("    return images.reshape(-1, 28, 28, 1).astype('float32')\n"),
        {"test_reshape_and_normalize_shape": PASS, "test_reshape_and_normalize_values": "between 0 and 1"},
        "wrong: floats, but never divided by 255",
    ),
    # ------------------------------------------------------------------ EarlyStoppingCallback
    Variant(
        "w3-callback-notes-threshold-ge", A,
        callback("        if logs['accuracy'] >= 0.995:\n"
                 "            self.model.stop_training = True\n"
                 "            print(\"Reached 99.5% accuracy so cancelling training!\")\n", logs="logs={}"),
        passes(CALLBACK),
        "logs['accuracy'] >= 0.995 with logs={}",
    ),
    Variant(
        "w3-callback-percent-scale", A,
        callback("        accuracy = 100 * logs.get('accuracy', 0.0)\n"
                 "        if accuracy >= 99.5:\n"
                 "            print(f'\\nReached {99.5}% accuracy so cancelling training!')\n"
                 "            self.model.stop_training = True\n"),
        passes(CALLBACK),
        "the accuracy turned into a percentage and compared with 99.5: the same test",
    ),
    Variant(
        "w3-callback-class-constant", A,
        {"EarlyStoppingCallback": """
            class EarlyStoppingCallback(tf.keras.callbacks.Callback):
                TARGET = 0.995

                def on_epoch_end(self, epoch, logs=None):
                    if logs and logs.get("accuracy", 0) >= self.TARGET:
                        print("\\nReached 99.5% accuracy so cancelling training!")
                        self.model.stop_training = True
        """},
        passes(CALLBACK),
        "the threshold kept as a class constant, `if logs and ...`",
    ),
    Variant(
        "w3-callback-imported-either-key", A,
        {"EarlyStoppingCallback": """
            from tensorflow.keras.callbacks import Callback

            class EarlyStoppingCallback(Callback):
                def on_epoch_end(self, epoch, logs=None):
                    acc = (logs or {}).get("accuracy", (logs or {}).get("acc"))
                    if acc is not None and acc >= 0.995:
                        self.model.stop_training = True
                        print("\\nReached 99.5% accuracy so cancelling training!")
        """},
        passes(CALLBACK),
        "the imported Callback base class, either metric key, `(logs or {})`",
    ),
    Variant(
        "w3-callback-notes-message", A,
        callback("        if logs.get('accuracy') > 0.995:\n"
                 "            print(\"\\nArrived to 99.5% accuracy so cancelling training!\")\n"
                 "            self.model.stop_training = True\n", logs="logs={}"),
        {"test_EarlyStoppingCallback_stops_at_threshold": PASS, "test_EarlyStoppingCallback_message": "it should print"},
        "wrong by the task's text (print exactly): the course notes' own message 'Arrived to 99.5% ...'",
    ),
    Variant(
        "w3-callback-week2-threshold", A,
        callback("        if logs.get('accuracy') >= 0.99:\n"
                 "            self.model.stop_training = True\n"
                 "            print('\\nReached 99% accuracy so cancelling training!')\n"),
        {"test_EarlyStoppingCallback_stops_at_threshold": "stopped it after epoch",
         "test_EarlyStoppingCallback_message": "it should print"},
        "red team: the week-2 callback (99%) copied over stops below the threshold",
    ),
    # ------------------------------------------------------------------ convolutional_model
    Variant(
        "w3-lectures-64-filters", A,
        {"convolutional_model": LECTURES_MODEL.replace("Conv2D(32,", "Conv2D(64,")},
        passes(MODEL),
        "the lecture's Conv2D(64, (3,3), activation='relu', input_shape=(28,28,1)) with tf.nn dense activations",
    ),
    Variant(
        "w3-two-conv-blocks", A,
        model_cell("tf.keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28, 28, 1)), "
                   "tf.keras.layers.MaxPooling2D(2, 2), tf.keras.layers.Conv2D(32, (3,3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2,2), " + HEAD),
        passes(MODEL),
        "the course notes' exercise: two Conv2D/MaxPooling2D blocks",
    ),
    Variant(
        "w3-sequential-add-keras-import", A,
        {"convolutional_model": """
            from tensorflow import keras
            from tensorflow.keras import layers

            def convolutional_model():
                model = keras.Sequential()
                model.add(keras.Input(shape=(28, 28, 1)))
                model.add(layers.Conv2D(32, 3, activation="relu"))
                model.add(layers.MaxPooling2D(pool_size=2))
                model.add(layers.Flatten())
                model.add(layers.Dense(128, activation="relu"))
                model.add(layers.Dense(10, activation="softmax"))
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "`from tensorflow.keras import layers`, Sequential() + .add, kernel and pool sizes as ints",
    ),
    Variant(
        "w3-subclassed", A,
        {"convolutional_model": """
            class ConvNet(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.conv = tf.keras.layers.Conv2D(32, (3, 3), activation=tf.nn.relu)
                    self.pool = tf.keras.layers.MaxPooling2D((2, 2))
                    self.flatten = tf.keras.layers.Flatten()
                    self.hidden = tf.keras.layers.Dense(128, activation=tf.nn.relu)
                    self.classifier = tf.keras.layers.Dense(10, activation=tf.nn.softmax)

                def call(self, x):
                    x = self.pool(self.conv(x))
                    return self.classifier(self.hidden(self.flatten(x)))

            def convolutional_model():
                model = ConvNet()
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "a subclassed tf.keras.Model with tf.nn activations, never built before it is returned",
    ),
    Variant(
        "w3-padding-same-softmax-layer", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), "
                   "tf.keras.layers.Conv2D(32, (3, 3), padding='same', activation='relu'), "
                   "tf.keras.layers.MaxPooling2D((2, 2)), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(128, activation='relu'), tf.keras.layers.Dense(10), tf.keras.layers.Softmax()",
                   "optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3), "
                   "loss=tf.keras.losses.SparseCategoricalCrossentropy(), "
                   "metrics=[tf.keras.metrics.SparseCategoricalAccuracy(name='accuracy')]"),
        passes(MODEL),
        "padding='same' (28x28 maps, 14x14 after pooling), a Softmax layer after a linear Dense, "
        "loss and metric as objects",
    ),
    Variant(
        "w3-dropout-after-pooling", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), tf.keras.layers.Conv2D(64, (3, 3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2, 2), tf.keras.layers.Dropout(0.25), " + HEAD),
        passes(MODEL),
        "a Dropout layer between pooling and Flatten",
    ),
    Variant(
        "w3-keywords-maxpool2d-alias", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), "
                   "tf.keras.layers.Conv2D(filters=32, kernel_size=(3, 3), strides=(1, 1), activation='relu'), "
                   "tf.keras.layers.MaxPool2D(pool_size=(2, 2)), " + HEAD),
        passes(MODEL),
        "every Conv2D argument named, the MaxPool2D alias of MaxPooling2D",
    ),
    Variant(
        "w3-activation-layers", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), tf.keras.layers.Conv2D(32, (3, 3)), tf.keras.layers.ReLU(), "
                   "tf.keras.layers.MaxPooling2D(2, 2), tf.keras.layers.Flatten(), tf.keras.layers.Dense(128), "
                   "tf.keras.layers.Activation('relu'), tf.keras.layers.Dense(10), "
                   "tf.keras.layers.Activation(tf.keras.activations.softmax)",
                   "optimizer='adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(), metrics=['acc']"),
        passes(MODEL),
        "linear Conv2D/Dense layers each followed by an activation layer (ReLU, Activation), 'acc'",
    ),
    Variant(
        "w3-no-pooling", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), tf.keras.layers.Conv2D(32, (3, 3), activation='relu'), " + HEAD),
        {ARCHITECTURE: "MaxPooling2D", SHAPES: "MaxPooling2D", COMPILE: PASS, BUDGET: PASS},
        "wrong by the task's text: no MaxPooling2D layer (its parameters still fit the budget)",
    ),
    Variant(
        "w3-conv-input-without-channel", A,
        model_cell("tf.keras.layers.Conv2D(32, (3,3), activation='relu', input_shape=(28, 28)), "
                   "tf.keras.layers.MaxPooling2D(2, 2), " + HEAD),
        dict.fromkeys(MODEL, "channel axis"),
        "wrong input shape: input_shape=(28, 28) on Conv2D (the week-2 shape) has no channel axis",
    ),
    Variant(
        "w3-lambda-rescale", A,
        model_cell("tf.keras.Input(shape=(28, 28, 1)), tf.keras.layers.Lambda(lambda x: x * 1.0), "
                   "tf.keras.layers.Conv2D(32, (3, 3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2, 2), " + HEAD),
        dict.fromkeys(MODEL, "`Lambda` layer"),
        "a Lambda layer: the grader cannot rebuild the learner's Python safely and says what to use",
    ),
    Variant(
        "w3-partial-data-and-callback", A,
        {"convolutional_model": """
            def convolutional_model():
                # YOUR CODE HERE
                raise NotImplementedError()
                return model
        """},
        passes(DATA, CALLBACK, **dict.fromkeys(MODEL, NOT_IMPLEMENTED)),
        "partial work: the model not written; the data and callback parts keep their points",
    ),
]
