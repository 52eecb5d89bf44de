# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    # YOUR CODE HERE
    images = np.expand_dims(images, axis=-1)
    images = images.astype("float32") / 255.0
    return images
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        logs = logs or {}
        acc = logs.get("accuracy", 0)
        if acc >= 0.995:
            self.model.stop_training = True
            print("\nReached 99.5% accuracy so cancelling training!")
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    # YOUR CODE HERE
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(28, 28, 1)))
    model.add(tf.keras.layers.Conv2D(filters=64, kernel_size=3, activation="relu"))
    model.add(tf.keras.layers.MaxPooling2D(pool_size=2))
    model.add(tf.keras.layers.Flatten())
    model.add(tf.keras.layers.Dense(128, activation="relu"))
    model.add(tf.keras.layers.Dense(10, activation="softmax"))
    model.compile(
        optimizer=tf.keras.optimizers.Adam(),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    return model
