"""c1w4-horse-or-human: training and validation datasets from two folders, the lectures' convnet."""
from styles.corpus import PASS, Variant

A = "c1w4-horse-or-human"
DATASETS = ("test_train_val_datasets_classes", "test_train_val_datasets_shapes")
MODEL = ("test_create_model_architecture", "test_create_model_compile")
CLASSES, SHAPES = DATASETS
ARCHITECTURE, COMPILE = MODEL


def passes(*groups, **more):
    return {**{test: PASS for group in groups for test in group}, **more}


def datasets_cell(body: str, before: str = "") -> dict:
    return {"train_val_datasets": before + "def train_val_datasets():\n" + body}


def model_cell(layers: str, compile_args: str = "loss='binary_crossentropy', "
                                                 "optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001), "
                                                 "metrics=['accuracy']", before: str = "") -> dict:
    return {"create_model": f"""{before}
def create_model():
    model = tf.keras.models.Sequential([{layers}])
    model.compile({compile_args})
    return model
"""}


def load(folder: str, **options) -> str:
    arguments = dict(image_size="(100, 100)", batch_size="32", label_mode="'binary'", color_mode="'rgb'")
    arguments.update(options)
    listed = ", ".join(f"{key}={value}" for key, value in arguments.items())
    return f"tf.keras.utils.image_dataset_from_directory({folder}, {listed})"


BLOCKS = ("tf.keras.layers.Conv2D(16, (3,3), activation='relu'), tf.keras.layers.MaxPooling2D(2, 2), "
          "tf.keras.layers.Conv2D(32, (3,3), activation='relu'), tf.keras.layers.MaxPooling2D(2,2), "
          "tf.keras.layers.Conv2D(64, (3,3), activation='relu'), tf.keras.layers.MaxPooling2D(2,2), "
          "tf.keras.layers.Flatten(), tf.keras.layers.Dense(512, activation='relu'), ")
INPUT = "tf.keras.Input(shape=(100, 100, 3)), "
SIGMOID = "tf.keras.layers.Dense(1, activation='sigmoid')"

VARIANTS = [
    # ------------------------------------------------------------------ graded whole
    Variant(
        "hoh-rescaling-in-model-graded", A,
        {"train_val_datasets": f"""
            def train_val_datasets():
                train_dataset = {load("TRAIN_DIR")}
                validation_dataset = {load("VALIDATION_DIR")}
                return train_dataset, validation_dataset
         """,
         "create_model": f"""
            def create_model():
                model = tf.keras.Sequential([
                    tf.keras.Input(shape=(100, 100, 3)),
                    tf.keras.layers.Rescaling(1./255),
                    {BLOCKS}
                    {SIGMOID},
                ])
                model.compile(loss='binary_crossentropy',
                              optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                              metrics=['accuracy'])
                return model
         """},
        {SHAPES: "between 0 and 1"},
        "the 2023+ TF tutorials' Rescaling layer inside the model instead of in the datasets: the task's "
        "text asks to rescale both datasets, so the datasets' pixel part fails (and says so); the model "
        "(Rescaling is not an extra layer) and training pass",
        end_to_end=True,
    ),
    Variant(
        "hoh-functional-graded", A,
        {"create_model": """
            def create_model():
                inputs = tf.keras.layers.Input(shape=(100, 100, 3))
                x = inputs
                for filters in (16, 32, 64):
                    x = tf.keras.layers.Conv2D(filters, (3, 3), activation=tf.nn.relu)(x)
                    x = tf.keras.layers.MaxPooling2D(2, 2)(x)
                x = tf.keras.layers.Flatten()(x)
                x = tf.keras.layers.Dense(512, activation=tf.nn.relu)(x)
                outputs = tf.keras.layers.Dense(1, activation=tf.nn.sigmoid)(x)
                model = tf.keras.Model(inputs=inputs, outputs=outputs)
                model.compile(loss=tf.keras.losses.BinaryCrossentropy(),
                              optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                              metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "the Functional API with tf.nn activations and a loss object, graded whole (validation included)",
        end_to_end=True,
    ),
    # ------------------------------------------------------------------ the datasets
    Variant(
        "hoh-datasets-divide-in-map", A,
        datasets_cell(f"    train = {load('TRAIN_DIR')}\n"
                      f"    validation = {load('VALIDATION_DIR')}\n"
                      "    train = train.map(lambda x, y: (x / 255.0, y))\n"
                      "    validation = validation.map(lambda x, y: (x / 255.0, y))\n"
                      "    return train, validation\n"),
        passes(DATASETS),
        "two explicit loads, each rescaled by dividing in a lambda",
    ),
    Variant(
        "hoh-datasets-cache-prefetch", A,
        datasets_cell("    rescale = tf.keras.layers.Rescaling(scale=1.0 / 255)\n"
                      "    datasets = []\n"
                      "    for folder in (TRAIN_DIR, VALIDATION_DIR):\n"
                      f"        dataset = {load('folder', shuffle='True', seed='42')}\n"
                      "        dataset = dataset.map(lambda x, y: (rescale(x), y), num_parallel_calls=tf.data.AUTOTUNE)\n"
                      "        datasets.append(dataset.cache().prefetch(tf.data.AUTOTUNE))\n"
                      "    return tuple(datasets)\n"),
        passes(DATASETS),
        "the 2024 notebooks' pipeline in a loop: seeded shuffle, map with num_parallel_calls, cache, prefetch",
    ),
    Variant(
        "hoh-datasets-list-keywords", A,
        datasets_cell("    rescale = keras.layers.Rescaling(1./255)\n"
                      "    train = keras.utils.image_dataset_from_directory(directory=TRAIN_DIR, labels='inferred', "
                      "label_mode='binary', color_mode='rgb', batch_size=32, image_size=(100, 100))\n"
                      "    val = keras.utils.image_dataset_from_directory(directory=VALIDATION_DIR, labels='inferred', "
                      "label_mode='binary', color_mode='rgb', batch_size=32, image_size=(100, 100))\n"
                      "    return [train.map(lambda i, l: (rescale(i), l)), val.map(lambda i, l: (rescale(i), l))]\n",
                      before="import keras\n\n"),
        passes(DATASETS),
        "`import keras`, every argument named, the two datasets returned as a list",
    ),
    Variant(
        "hoh-datasets-validation-unshuffled", A,
        datasets_cell("    normalize = tf.keras.layers.Rescaling(1./255)\n"
                      f"    train_ds = {load('TRAIN_DIR', shuffle='True')}\n"
                      f"    val_ds = {load('VALIDATION_DIR', shuffle='False')}\n"
                      "    train_ds = train_ds.map(lambda x, y: (normalize(x), y))\n"
                      "    val_ds = val_ds.map(lambda x, y: (normalize(x), y))\n"
                      "    return (train_ds, val_ds)\n"),
        passes(DATASETS),
        "the validation set left unshuffled (shuffle=False), TF tutorials' train_ds / val_ds names",
    ),
    Variant(
        "hoh-datasets-swapped", A,
        datasets_cell(f"    train = {load('VALIDATION_DIR')}.map(lambda x, y: (x / 255.0, y))\n"
                      f"    validation = {load('TRAIN_DIR')}.map(lambda x, y: (x / 255.0, y))\n"
                      "    return train, validation\n"),
        {CLASSES: "swap", SHAPES: PASS},
        "wrong: the training and validation folders swapped",
    ),
    Variant(
        "hoh-datasets-class-folder", A,
        datasets_cell(f"    train = {load('train_horse_dir')}.map(lambda x, y: (x / 255.0, y))\n"
                      f"    validation = {load('validation_horse_dir')}.map(lambda x, y: (x / 255.0, y))\n"
                      "    return train, validation\n"),
        dict.fromkeys(DATASETS, "SUBFOLDER"),
        "wrong by the task's text (the folder that holds the class folders): class folders",
    ),
    Variant(
        "hoh-datasets-lecture-size-300", A,
        datasets_cell(f"    train = {load('TRAIN_DIR', image_size='(300, 300)')}\n"
                      f"    validation = {load('VALIDATION_DIR', image_size='(300, 300)')}\n"
                      "    rescale = tf.keras.layers.Rescaling(1./255)\n"
                      "    return train.map(lambda x, y: (rescale(x), y)), validation.map(lambda x, y: (rescale(x), y))\n"),
        {CLASSES: PASS, SHAPES: "image_size=(100, 100)"},
        "wrong by the task's text (image_size=(100, 100)): the lectures' 300x300",
    ),
    Variant(
        "hoh-image-data-generator", A,
        datasets_cell("    train_datagen = ImageDataGenerator(rescale=1/255)\n"
                      "    validation_datagen = ImageDataGenerator(rescale=1/255)\n"
                      "    train_generator = train_datagen.flow_from_directory(TRAIN_DIR, target_size=(100, 100), "
                      "batch_size=32, class_mode='binary')\n"
                      "    validation_generator = validation_datagen.flow_from_directory(VALIDATION_DIR, "
                      "target_size=(100, 100), batch_size=32, class_mode='binary')\n"
                      "    return train_generator, validation_generator\n",
                      before="from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"),
        dict.fromkeys(DATASETS, "tf.data.Dataset"),
        "wrong by the task's text (image_dataset_from_directory): the course notes' ImageDataGenerator "
        "with flow_from_directory",
    ),
    # ------------------------------------------------------------------ the model
    Variant(
        "hoh-model-lectures-input-shape", A,
        model_cell("tf.keras.layers.Conv2D(16, (3,3), activation='relu', input_shape=(100, 100, 3)), "
                   "tf.keras.layers.MaxPooling2D(2, 2), tf.keras.layers.Conv2D(32, (3,3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2,2), tf.keras.layers.Conv2D(64, (3,3), activation='relu'), "
                   "tf.keras.layers.MaxPooling2D(2,2), tf.keras.layers.Flatten(), "
                   "tf.keras.layers.Dense(512, activation='relu'), tf.keras.layers.Dense(1, activation='sigmoid')",
                   "loss='binary_crossentropy', optimizer=RMSprop(learning_rate=0.001), metrics=['accuracy']",
                   before="from tensorflow.keras.optimizers import RMSprop\n"),
        passes(MODEL),
        "the lectures' model (course notes): input_shape= on the first Conv2D, the imported RMSprop",
    ),
    Variant(
        "hoh-model-rmsprop-string", A,
        model_cell(INPUT + BLOCKS + SIGMOID, "optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy']"),
        passes(MODEL),
        "optimizer='rmsprop': Keras' RMSprop, whose default learning rate is the 0.001 the task asks for",
    ),
    Variant(
        "hoh-model-dropout-subclassed", A,
        {"create_model": """
            class HorseOrHuman(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.convs = [tf.keras.layers.Conv2D(n, (3, 3), activation="relu") for n in (16, 32, 64)]
                    self.pools = [tf.keras.layers.MaxPooling2D(2, 2) for _ in range(3)]
                    self.flatten = tf.keras.layers.Flatten()
                    self.dropout = tf.keras.layers.Dropout(0.2)
                    self.hidden = tf.keras.layers.Dense(512, activation="relu")
                    self.out = tf.keras.layers.Dense(1, activation="sigmoid")

                def call(self, x, training=False):
                    for conv, pool in zip(self.convs, self.pools):
                        x = pool(conv(x))
                    x = self.dropout(self.flatten(x), training=training)
                    return self.out(self.hidden(x))

            def create_model():
                model = HorseOrHuman()
                model.compile(loss="binary_crossentropy",
                              optimizer=tf.keras.optimizers.RMSprop(learning_rate=1e-3), metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "a subclassed model with a `training` argument and Dropout, the learning rate written 1e-3",
    ),
    Variant(
        "hoh-model-keras-modules-add", A,
        {"create_model": """
            from tensorflow.keras import layers, models, optimizers

            def create_model():
                model = models.Sequential()
                model.add(layers.Input(shape=(100, 100, 3)))
                model.add(layers.Conv2D(16, (3, 3), activation="relu"))
                model.add(layers.MaxPooling2D((2, 2)))
                model.add(layers.Conv2D(32, (3, 3), activation="relu"))
                model.add(layers.MaxPooling2D((2, 2)))
                model.add(layers.Conv2D(64, (3, 3), activation="relu"))
                model.add(layers.MaxPooling2D((2, 2)))
                model.add(layers.Flatten())
                model.add(layers.Dense(512, activation="relu"))
                model.add(layers.Dense(1, activation="sigmoid"))
                model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(learning_rate=0.001),
                              metrics=["accuracy"])
                return model
        """},
        passes(MODEL),
        "`from tensorflow.keras import layers, models, optimizers` (Keras book style), Sequential() + .add",
    ),
    Variant(
        "hoh-model-import-keras-activations", A,
        model_cell("keras.Input(shape=(100, 100, 3)), "
                   + BLOCKS.replace("tf.keras.", "keras.").replace("activation='relu'", "activation=keras.activations.relu")
                   + "keras.layers.Dense(1, activation=keras.activations.sigmoid)",
                   "loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.RMSprop(learning_rate=0.001), "
                   "metrics=[keras.metrics.BinaryAccuracy(name='accuracy')]",
                   before="import keras\n"),
        passes(MODEL),
        "Keras 3 `import keras` with keras.activations functions, BinaryAccuracy(name='accuracy')",
    ),
    Variant(
        "hoh-model-metric-acc", A,
        model_cell(INPUT + BLOCKS + SIGMOID, "loss='binary_crossentropy', "
                   "optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001), metrics=['acc']"),
        passes(MODEL),
        "the course notes' metrics=['acc']: an accuracy metric under its short name (issue 10: 'acc' "
        "passes as a metric); graded whole, training logs 'acc'/'val_acc' and the training parts must "
        "pass too (the fixed training cell must not assume the key 'accuracy')",
        end_to_end=True,
    ),
    Variant(
        "hoh-model-lr-argument", A,
        model_cell(INPUT + BLOCKS + SIGMOID, "loss='binary_crossentropy', optimizer=RMSprop(lr=0.001), metrics=['acc']",
                   before="from tensorflow.keras.optimizers import RMSprop\n"),
        passes(DATASETS, **dict.fromkeys(MODEL, "`lr=`")),
        "removed API (the course notes' `RMSprop(lr=0.001)`): fails the model's parts with the fix, not the datasets'",
    ),
    Variant(
        "hoh-model-adam", A,
        model_cell(INPUT + BLOCKS + SIGMOID, "loss='binary_crossentropy', optimizer='adam', metrics=['accuracy']"),
        {ARCHITECTURE: PASS, COMPILE: "RMSprop"},
        "wrong by the task's text (RMSprop(learning_rate=0.001)): Adam",
    ),
    Variant(
        "hoh-model-two-softmax", A,
        model_cell(INPUT + BLOCKS + "tf.keras.layers.Dense(2, activation='softmax')",
                   "loss='sparse_categorical_crossentropy', optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001), "
                   "metrics=['accuracy']"),
        {ARCHITECTURE: "Dense(1, activation='sigmoid')"},
        "wrong by the task's text (Dense(1, activation='sigmoid')): two softmax outputs, allowed in "
        "happy-or-sad but not here",
    ),
]
