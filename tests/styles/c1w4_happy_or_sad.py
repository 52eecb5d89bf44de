"""c1w4-happy-or-sad: a tf.data dataset from a folder of faces and a small convnet."""
from styles.corpus import PASS, Variant

A = "c1w4-happy-or-sad"
DATASET = ("test_training_dataset_classes", "test_training_dataset_spec", "test_training_dataset_pixels")
MODEL = ("test_create_and_compile_model_architecture", "test_create_and_compile_model_compile")
CLASSES, SPEC, PIXELS = DATASET
ARCHITECTURE, COMPILE = MODEL


def passes(*groups, **more):
    return {**{test: PASS for group in groups for test in group}, **more}


def dataset_cell(body: str, before: str = "") -> dict:
    return {"training_dataset": before + "def training_dataset():\n" + body}


def model_cell(layers: str, compile_args: str = "loss='binary_crossentropy', optimizer='rmsprop', "
                                                 "metrics=['accuracy']", before: str = "") -> dict:
    return {"create_and_compile_model": f"""{before}
def create_and_compile_model():
    model = tf.keras.models.Sequential([{layers}])
    model.compile({compile_args})
    return model
"""}


LOAD = ("    dataset = tf.keras.utils.image_dataset_from_directory(\n"
        "        DATA_DIR, image_size=(150, 150), batch_size=10, label_mode='binary')\n")
CONV = ("tf.keras.layers.Conv2D(16, (3,3), activation='relu'), tf.keras.layers.MaxPooling2D(2, 2), "
        "tf.keras.layers.Conv2D(32, (3,3), activation='relu'), tf.keras.layers.MaxPooling2D(2,2), "
        "tf.keras.layers.Flatten(), tf.keras.layers.Dense(512, activation='relu'), ")
INPUT = "tf.keras.Input(shape=(150, 150, 3)), "

VARIANTS = [
    # ------------------------------------------------------------------ graded whole
    Variant(
        "hos-functional-graded", A,
        {"create_and_compile_model": """
            def create_and_compile_model():
                inputs = tf.keras.Input(shape=(150, 150, 3))
                x = inputs
                for filters in (16, 32, 64):
                    x = tf.keras.layers.Conv2D(filters, (3, 3), activation="relu")(x)
                    x = tf.keras.layers.MaxPooling2D(2, 2)(x)
                x = tf.keras.layers.Flatten()(x)
                x = tf.keras.layers.Dense(512, activation="relu")(x)
                outputs = tf.keras.layers.Dense(1, activation="sigmoid")(x)
                model = tf.keras.Model(inputs, outputs)
                model.compile(optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                              loss="binary_crossentropy", metrics=["accuracy"])
                return model
        """},
        passes(DATASET, MODEL),
        "the Functional API with the blocks built in a loop, graded whole",
        end_to_end=True,
    ),
    Variant(
        "hos-two-softmax-graded", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(2, activation=tf.nn.softmax)",
                   "optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy']"),
        passes(MODEL),
        "two softmax outputs with sparse categorical crossentropy (the task allows it), tf.nn.softmax, "
        "Adam; graded whole: the provided callback still reads 'accuracy'",
        end_to_end=True,
    ),
    # ------------------------------------------------------------------ the dataset
    Variant(
        "hos-dataset-divide-in-map", A,
        dataset_cell(LOAD + "    dataset = dataset.map(lambda x, y: (x / 255.0, y))\n    return dataset\n"),
        passes(DATASET),
        "rescaling by dividing in a lambda instead of a Rescaling layer",
    ),
    Variant(
        "hos-dataset-cast-function", A,
        dataset_cell(LOAD + "    def normalise(images, labels):\n"
                            "        return tf.cast(images, tf.float32) / 255.0, labels\n"
                            "    return dataset.map(normalise)\n"),
        passes(DATASET),
        "a named map function with tf.cast (TF tutorials' style)",
    ),
    Variant(
        "hos-dataset-utils-import-keywords", A,
        dataset_cell("    train = image_dataset_from_directory(directory=DATA_DIR, labels='inferred', "
                     "label_mode='binary',\n"
                     "                                         batch_size=10, image_size=(150, 150), "
                     "shuffle=True, seed=42)\n"
                     "    rescale_layer = Rescaling(scale=1./255)\n"
                     "    return train.map(lambda image, label: (rescale_layer(image), label))\n",
                     before="from tensorflow.keras.utils import image_dataset_from_directory\n"
                            "from tensorflow.keras.layers import Rescaling\n\n"),
        passes(DATASET),
        "2024 notebook imports (`from tensorflow.keras.utils import image_dataset_from_directory`), every "
        "argument named, a seeded shuffle",
    ),
    Variant(
        "hos-dataset-cache-prefetch", A,
        dataset_cell(LOAD + "    rescale = tf.keras.layers.Rescaling(1./255)\n"
                            "    dataset = dataset.map(lambda x, y: (rescale(x), y), "
                            "num_parallel_calls=tf.data.AUTOTUNE)\n"
                            "    return dataset.cache().prefetch(buffer_size=tf.data.AUTOTUNE)\n"),
        passes(DATASET),
        "the 2024 notebooks' pipeline: map with num_parallel_calls, cache, prefetch",
    ),
    Variant(
        "hos-dataset-import-keras", A,
        dataset_cell("    dataset = keras.utils.image_dataset_from_directory(DATA_DIR, label_mode='binary', "
                     "image_size=(150, 150), batch_size=10)\n"
                     "    return dataset.map(lambda images, labels: (keras.layers.Rescaling(1 / 255)(images), labels))\n",
                     before="import keras\n\n"),
        passes(DATASET),
        "Keras 3 `import keras`, the Rescaling layer created inside the mapped function",
    ),
    Variant(
        "hos-dataset-rescaling-offset", A,
        dataset_cell("    dataset = tf.keras.utils.image_dataset_from_directory(DATA_DIR, batch_size=10, "
                     "image_size=(150, 150), label_mode='binary', color_mode='rgb', interpolation='bilinear')\n"
                     "    normalization_layer = tf.keras.layers.Rescaling(scale=1./255, offset=0.0)\n"
                     "    normalized_ds = dataset.map(lambda x, y: (normalization_layer(x), y))\n"
                     "    return normalized_ds\n"),
        passes(DATASET),
        "the TF image tutorial's names (normalization_layer, normalized_ds), Rescaling with offset=0.0",
    ),
    Variant(
        "hos-dataset-not-rescaled", A,
        dataset_cell(LOAD + "    return dataset\n"),
        passes(DATASET[:2], **{PIXELS: "between 0 and 1"}),
        "wrong by the task's text: the pixels are left at 0-255",
    ),
    Variant(
        "hos-dataset-rescaled-twice", A,
        dataset_cell(LOAD + "    rescale = tf.keras.layers.Rescaling(1./255)\n"
                            "    return dataset.map(lambda x, y: (rescale(x) / 255.0, y))\n"),
        passes(DATASET[:2], **{PIXELS: "rescaled twice"}),
        "wrong: the pixels divided by 255 twice",
    ),
    Variant(
        "hos-dataset-class-folder", A,
        dataset_cell("    dataset = tf.keras.utils.image_dataset_from_directory(\n"
                     "        os.path.join(DATA_DIR, 'happy'), image_size=(150, 150), batch_size=10, "
                     "label_mode='binary')\n"
                     "    return dataset.map(lambda x, y: (x / 255.0, y))\n"),
        dict.fromkeys(DATASET, "SUBFOLDER"),
        "wrong by the task's text (the folder that holds the class folders): a class folder",
    ),
    Variant(
        "hos-dataset-int-labels", A,
        dataset_cell("    dataset = tf.keras.utils.image_dataset_from_directory(DATA_DIR, image_size=(150, 150), "
                     "batch_size=10)\n"
                     "    return dataset.map(lambda x, y: (x / 255.0, y))\n"),
        {CLASSES: PASS, SPEC: "label_mode='binary'", PIXELS: PASS},
        "wrong by the task's text (label_mode='binary'): the default integer labels",
    ),
    Variant(
        "hos-image-data-generator", A,
        dataset_cell("    datagen = ImageDataGenerator(rescale=1/255)\n"
                     "    return datagen.flow_from_directory(DATA_DIR, target_size=(150, 150), batch_size=10, "
                     "class_mode='binary')\n",
                     before="from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"),
        dict.fromkeys(DATASET, "tf.data.Dataset"),
        "wrong by the task's text (image_dataset_from_directory): the 2019-22 lectures' ImageDataGenerator, "
        "a legacy generator rather than a tf.data.Dataset",
    ),
    # ------------------------------------------------------------------ the model
    Variant(
        "hos-model-lectures-input-shape", A,
        model_cell("tf.keras.layers.Conv2D(16, (3,3), activation='relu', input_shape=(150, 150, 3)), "
                   "tf.keras.layers.MaxPooling2D(2, 2), tf.keras.layers.Conv2D(32, (3,3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2,2), tf.keras.layers.Conv2D(64, (3,3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2,2), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(1, activation='sigmoid')",
                   "loss='binary_crossentropy', optimizer=RMSprop(learning_rate=0.001), metrics=['accuracy']",
                   before="from tensorflow.keras.optimizers import RMSprop\n"),
        passes(MODEL),
        "the lectures' model: input_shape= on the first Conv2D, `from tensorflow.keras.optimizers import RMSprop`",
    ),
    Variant(
        "hos-model-subclassed", A,
        {"create_and_compile_model": """
            class HappyOrSad(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.blocks = [tf.keras.layers.Conv2D(16, 3, activation="relu"), tf.keras.layers.MaxPooling2D(),
                                   tf.keras.layers.Conv2D(32, 3, activation="relu"), tf.keras.layers.MaxPooling2D()]
                    self.flatten = tf.keras.layers.Flatten()
                    self.dense = tf.keras.layers.Dense(128, activation="relu")
                    self.out = tf.keras.layers.Dense(1, activation="sigmoid")

                def call(self, x):
                    for layer in self.blocks:
                        x = layer(x)
                    return self.out(self.dense(self.flatten(x)))

            def create_and_compile_model():
                model = HappyOrSad()
                model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "a subclassed model keeping its blocks in a list, never built before it is returned",
    ),
    Variant(
        "hos-model-tf-nn-sigmoid-acc", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(1, activation=tf.nn.sigmoid)",
                   "loss=tf.keras.losses.BinaryCrossentropy(), optimizer=tf.keras.optimizers.Adam(1e-3), "
                   "metrics=['acc']"),
        passes(MODEL),
        "tf.nn.sigmoid, a BinaryCrossentropy() object, metrics=['acc'] (the 2019 lectures' spelling)",
    ),
    Variant(
        "hos-model-import-keras-add-dropout", A,
        {"create_and_compile_model": """
            import keras
            from keras import layers

            def create_and_compile_model():
                model = keras.Sequential()
                model.add(keras.Input(shape=(150, 150, 3)))
                for filters in (16, 32, 64):
                    model.add(layers.Conv2D(filters, 3, activation="relu"))
                    model.add(layers.MaxPooling2D(2))
                model.add(layers.Flatten())
                model.add(layers.Dropout(0.3))
                model.add(layers.Dense(256, activation="relu"))
                model.add(layers.Dense(1, activation="sigmoid"))
                model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                              loss=keras.losses.binary_crossentropy, metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
                return model
        """},
        passes(MODEL),
        "Keras 3 `import keras`, blocks added in a loop, Dropout, the loss as a function, "
        "BinaryAccuracy(name='accuracy')",
    ),
    Variant(
        "hos-model-softmax-layer-two-units", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(2), tf.keras.layers.Softmax()",
                   "optimizer='rmsprop', loss=tf.keras.losses.SparseCategoricalCrossentropy(), "
                   "metrics=['accuracy']"),
        passes(MODEL),
        "two linear outputs followed by a Softmax layer, with a SparseCategoricalCrossentropy() object",
    ),
    Variant(
        "hos-model-lr-argument", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(1, activation='sigmoid')",
                   "loss='binary_crossentropy', optimizer=tf.keras.optimizers.RMSprop(lr=0.001), metrics=['acc']"),
        passes(DATASET, **dict.fromkeys(MODEL, "`lr=`")),
        "removed API (2019-21 lectures): RMSprop(lr=0.001) fails the model's parts with the fix, "
        "not the dataset's",
    ),
    Variant(
        "hos-model-sigmoid-with-sparse-ce", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(1, activation='sigmoid')",
                   "loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy']"),
        {ARCHITECTURE: PASS, COMPILE: "binary_crossentropy"},
        "wrong: one sigmoid unit with sparse categorical crossentropy",
    ),
    Variant(
        "hos-model-softmax-one-unit", A,
        model_cell(INPUT + CONV + "tf.keras.layers.Dense(1, activation='softmax')",
                   "loss='binary_crossentropy', optimizer='adam', metrics=['accuracy']"),
        {ARCHITECTURE: "sigmoid"},
        "red team: a softmax over one unit always outputs 1.0",
    ),
    Variant(
        "hos-model-no-convolution", A,
        model_cell(INPUT + "tf.keras.layers.Flatten(), tf.keras.layers.Dense(128, activation='relu'), "
                   "tf.keras.layers.Dense(1, activation='sigmoid')",
                   "loss='binary_crossentropy', optimizer='adam', metrics=['accuracy']"),
        {ARCHITECTURE: "Conv2D", COMPILE: PASS},
        "wrong by the task's text (convolution blocks): a dense network only",
    ),
]
