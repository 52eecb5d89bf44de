# %% reshape_and_normalize
def reshape_and_normalize(images):
    """Return the images with a channel axis, shape (n, 28, 28, 1), scaled to [0, 1]."""
    # YOUR CODE HERE
    out = images.astype(np.float64)
    out = out.reshape((-1, 28, 28, 1))
    out /= 255.0
    return out
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99.5%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        try:
            a = logs['accuracy']
        except (KeyError, TypeError):
            return
        if a >= 0.995:
            self.model.stop_training = True
            print('\nReached 99.5% accuracy so cancelling training!')
# %% convolutional_model
def convolutional_model():
    """Return a compiled Conv2D + MaxPooling2D classifier for 28x28x1 images with 10 softmax outputs."""
    # YOUR CODE HERE
    stack = [
        tf.keras.Input(shape=(28, 28, 1)),
        tf.keras.layers.Conv2D(32, kernel_size=(3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
        tf.keras.layers.Conv2D(64, kernel_size=(3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(100, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax'),
    ]
    cnn = tf.keras.Sequential(stack)
    optimiser = tf.keras.optimizers.RMSprop()
    cnn.compile(optimizer=optimiser, loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return cnn
